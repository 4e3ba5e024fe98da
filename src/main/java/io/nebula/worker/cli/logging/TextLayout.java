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
 * spaces, quotes or {@code =} are quoted). Control characters in the message and in values are
 * escaped, so one event is one line; a stack trace follows on the next lines, each indented.
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
        line.append(escapeControls(EventFields.message(event)));
        for (Map.Entry<String, Object> f : EventFields.fields(event)) {
            line.append(' ').append(f.getKey()).append('=').append(quoteIfNeeded(EventFields.text(f.getValue())));
        }
        line.append(CoreConstants.LINE_SEPARATOR);
        String trace = EventFields.stackTrace(event);
        if (trace != null) {
            line.append(indented(trace));
        }
        return line.toString();
    }

    /**
     * The message on one line: line breaks and other control characters (terminal escapes
     * included) become visible escapes, so text from a workflow (a {@code log} node, an error) can
     * never start what looks like a log line of its own.
     */
    static String escapeControls(String message) {
        int i = 0;
        while (i < message.length() && !isControl(message.charAt(i))) {
            i++;
        }
        if (i == message.length()) {
            return message;
        }
        StringBuilder b = new StringBuilder(message.length() + 16).append(message, 0, i);
        for (; i < message.length(); i++) {
            char c = message.charAt(i);
            if (!isControl(c)) {
                b.append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    private static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }

    /**
     * A stack trace with every line that does not already start with white space indented, and
     * control characters other than line breaks escaped: an exception message spread over several
     * lines must not read as log lines.
     */
    static String indented(String trace) {
        StringBuilder b = new StringBuilder(trace.length() + 64);
        for (String l : trace.split("\\R", -1)) {
            if (l.isEmpty()) {
                continue;
            }
            if (!Character.isWhitespace(l.charAt(0))) {
                b.append('\t');
            }
            b.append(escapeControls(l).replace("\\t", "\t")).append(CoreConstants.LINE_SEPARATOR);
        }
        return b.toString();
    }

    static String quoteIfNeeded(String value) {
        boolean plain = !value.isEmpty();
        for (int i = 0; i < value.length() && plain; i++) {
            char c = value.charAt(i);
            plain = c > ' ' && c != '"' && c != '=' && !isControl(c);
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
                default -> {
                    if (isControl(c)) {
                        q.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
