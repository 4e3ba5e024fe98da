package io.nebula.worker.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggerContextListener;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Every line this JVM logs while it is open, as both of the worker's layouts write it (text and
 * JSON), with {@code io.nebula.worker} at DEBUG until a command applies its own levels: what an
 * operator's log would hold. It survives the reset a command's {@link LogSetup} makes.
 */
public final class CapturedLog extends AppenderBase<ILoggingEvent> implements LoggerContextListener, AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final TextLayout text = new TextLayout();
    private final JsonLayout json = new JsonLayout();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger ours = (Logger) LoggerFactory.getLogger("io.nebula.worker");
    private final Level previous;

    private CapturedLog() {
        previous = ours.getLevel();
    }

    /** Starts capturing. */
    public static CapturedLog open() {
        CapturedLog c = new CapturedLog();
        c.setContext(c.root.getLoggerContext());
        c.setName("captured");
        c.start();
        c.ours.setLevel(Level.DEBUG);
        c.root.addAppender(c);
        c.root.getLoggerContext().addListener(c);
        return c;
    }

    @Override
    public boolean isResetResistant() {
        return true;
    }

    @Override
    public void onReset(LoggerContext context) {
        start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(this);
    }

    @Override
    public void onStart(LoggerContext context) {}

    @Override
    public void onStop(LoggerContext context) {}

    @Override
    public void onLevelChange(Logger logger, Level level) {}

    @Override
    protected void append(ILoggingEvent event) {
        lines.add(text.doLayout(event));
        lines.add(json.doLayout(event));
    }

    /** Every line captured so far (each event twice: text, then JSON). */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        root.getLoggerContext().removeListener(this);
        root.detachAppender(this);
        ours.setLevel(previous);
        stop();
    }
}
