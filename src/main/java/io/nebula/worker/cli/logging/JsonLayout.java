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
 * booleans keep their type; a field whose name is taken gets a trailing {@code _}), and {@code
 * error} with the stack trace when there is one.
 */
final class JsonLayout extends LayoutBase<ILoggingEvent> {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Set<String> RESERVED = Set.of("ts", "level", "logger", "thread", "msg", "error");

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
                writeValue(g, f.getValue());
            }
            String trace = EventFields.stackTrace(event);
            if (trace != null) {
                g.writeStringProperty("error", trace);
            }
            g.writeEndObject();
        }
        return out.append(CoreConstants.LINE_SEPARATOR).toString();
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
