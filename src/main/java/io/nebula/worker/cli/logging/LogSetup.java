package io.nebula.worker.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.nebula.worker.config.LogFilter;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.observe.LogContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback from code: one stderr appender, text or JSON lines, levels from a {@link
 * LogFilter}. There is no XML configuration on purpose (parsing one costs about 650 ms at start);
 * {@link StartupLogConfigurator} applies the defaults before the first log line, and the command
 * line calls {@link #apply(WorkerConfig.Log)} once the configuration is loaded.
 */
public final class LogSetup {
    static final String APPENDER = "stderr";

    private LogSetup() {}

    /** Applies the configured filter and format to the running Logback context; idempotent. */
    public static void apply(WorkerConfig.Log log) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            install(context, LogFilter.parse(log.filter()), log.format());
        }
    }

    /** Replaces {@code context}'s configuration: levels from {@code filter}, lines in {@code format}. */
    static void install(LoggerContext context, LogFilter filter, String format) {
        context.reset();
        LogContextFilter fields = new LogContextFilter();
        fields.setContext(context);
        fields.start();
        context.addTurboFilter(fields);
        LogContext.lazyWhile(fields::isStarted);
        Layout<ILoggingEvent> layout = "json".equals(format) ? new JsonLayout() : new TextLayout();
        layout.setContext(context);
        layout.start();

        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.setLayout(layout);
        encoder.start();

        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(APPENDER);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(toLogback(LogFilter.DEFAULT_ROOT));
        root.addAppender(appender);
        for (LogFilter.Directive d : filter.directives()) {
            Logger logger = d.logger().isEmpty() ? root : context.getLogger(d.logger());
            logger.setLevel(toLogback(d.level()));
        }
        for (String quiet : UNREDACTED) {
            if (!named(filter, quiet)) {
                context.getLogger(quiet).setLevel(Level.WARN);
            }
        }
        for (String quiet : STACK_TRACES) {
            if (!named(filter, quiet)) {
                context.getLogger(quiet).setLevel(Level.ERROR);
            }
        }
    }

    private static boolean named(LogFilter filter, String logger) {
        return filter.directives().stream()
                .anyMatch(d -> d.logger().equals(logger) || d.logger().startsWith(logger + "."));
    }

    /**
     * Loggers whose warnings are a stack trace for an event the worker reports itself: the pool's
     * "connection marked as broken" for every connection the server dropped (the pool replaces it;
     * the statement that used it fails, and the worker logs that failure in one line). They stay
     * at {@code error} unless a directive names them.
     */
    static final List<String> STACK_TRACES = List.of("com.zaxxer.hikari.pool.ProxyConnection");

    /**
     * Loggers that write what the worker's redaction never sees: the HTTP client's request lines,
     * headers and bodies ({@code http.request}). They stay at {@code warn} when a broader directive
     * (a root {@code debug}, {@code org.apache=trace}) would open them; a directive that names one
     * of them, or a logger below it, still does.
     */
    static final List<String> UNREDACTED =
            List.of("org.apache.hc.client5.http.wire", "org.apache.hc.client5.http.headers");

    static Level toLogback(LogFilter.Level level) {
        return switch (level) {
            case OFF -> Level.OFF;
            case ERROR -> Level.ERROR;
            case WARN -> Level.WARN;
            case INFO -> Level.INFO;
            case DEBUG -> Level.DEBUG;
            case TRACE -> Level.TRACE;
        };
    }
}
