package io.nebula.worker.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Every line this JVM logs while it is open, as both of the worker's layouts write it (text and
 * JSON), with {@code io.nebula.worker} at DEBUG: what an operator's log would hold.
 */
public final class CapturedLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {
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
        return c;
    }

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
        root.detachAppender(this);
        ours.setLevel(previous);
        stop();
    }
}
