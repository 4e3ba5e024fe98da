package io.nebula.worker.cli.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * Human-readable lines: {@code 2026-11-27T10:00:00.123Z INFO  queue.ClaimLoop claimed n=5
 * worker_id=w-1}. Time in UTC with milliseconds, level padded to five characters, the logger without
 * our {@code io.nebula.worker.} prefix, the message, then {@code key=value} fields (values with
 * spaces, quotes or {@code =} are quoted). A stack trace follows on the next lines.
 */
final class TextLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(128);
        TIME.formatTo(event.getInstant(), line);
        line.append(' ');
        String level = event.getLevel().toString();
        line.append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
        line.append(EventFields.shortLogger(event.getLoggerName())).append(' ');
        line.append(EventFields.message(event));
        for (Map.Entry<String, Object> f : EventFields.fields(event)) {
            line.append(' ').append(f.getKey()).append('=').append(quoteIfNeeded(EventFields.text(f.getValue())));
        }
        line.append(CoreConstants.LINE_SEPARATOR);
        String trace = EventFields.stackTrace(event);
        if (trace != null) {
            line.append(trace);
        }
        return line.toString();
    }

    static String quoteIfNeeded(String value) {
        boolean plain = !value.isEmpty();
        for (int i = 0; i < value.length() && plain; i++) {
            char c = value.charAt(i);
            plain = c > ' ' && c != '"' && c != '=' && c != 0x7f;
        }
        if (plain) {
            return value;
        }
        StringBuilder q = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> q.append(c);
            }
        }
        return q.append('"').toString();
    }
}
