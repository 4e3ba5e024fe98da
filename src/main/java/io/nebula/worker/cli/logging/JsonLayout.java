package io.nebula.worker.cli.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.io.StringWriter;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * JSON lines, one object per event: {@code ts} (ISO-8601 UTC), {@code level}, {@code logger} (full
 * name), {@code thread}, {@code msg}, then the structured fields as top-level members (numbers and
 * booleans keep their type, as do the execution's id, attempt and lease epoch from the context; a
 * field whose name is taken gets a trailing {@code _}), and {@code stack_trace} when there is one.
 */
final class JsonLayout extends LayoutBase<ILoggingEvent> {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Set<String> RESERVED = Set.of("ts", "level", "logger", "thread", "msg", "stack_trace");
    /**
     * Fields the context carries as text (the MDC holds strings) that are numbers wherever else
     * they are logged, so that every line gives them the same JSON type.
     */
    private static final Set<String> NUMBERS = Set.of("execution_id", "attempt", "lease_epoch");

    @Override
    public String doLayout(ILoggingEvent event) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            g.writeStringProperty("ts", DateTimeFormatter.ISO_INSTANT.format(event.getInstant()));
            g.writeStringProperty("level", event.getLevel().toString());
            g.writeStringProperty("logger", event.getLoggerName());
            g.writeStringProperty("thread", event.getThreadName());
            g.writeStringProperty("msg", EventFields.message(event));
            Set<String> used = new HashSet<>(RESERVED);
            for (Map.Entry<String, Object> f : EventFields.fields(event)) {
                String name = f.getKey();
                while (!used.add(name)) {
                    name = name + "_";
                }
                g.writeName(name);
                Object value = f.getValue();
                writeValue(g, NUMBERS.contains(name) ? number(value) : value);
            }
            String trace = EventFields.stackTrace(event);
            if (trace != null) {
                g.writeStringProperty("stack_trace", trace);
            }
            g.writeEndObject();
        }
        return out.append(CoreConstants.LINE_SEPARATOR).toString();
    }

    /** {@code v} as a {@code Long} when it is the text of one, else {@code v}. */
    private static Object number(Object v) {
        if (v instanceof String t
                && !t.isEmpty()
                && t.length() <= 18
                && t.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(t);
        }
        return v;
    }

    private static void writeValue(JsonGenerator g, Object v) {
        // Non-finite doubles are not JSON numbers; they fall through to strings.
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double d && Double.isFinite(d)) {
            g.writeNumber(d);
        } else if (v instanceof Float f && Float.isFinite(f)) {
            g.writeNumber(f);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            g.writeString(EventFields.text(v));
        }
    }
}
