package io.nebula.worker.cli.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import io.nebula.worker.redact.Redaction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.event.KeyValuePair;

/**
 * What both layouts print from an event: the redacted message and stack trace, the shortened logger
 * name, and the structured fields in a stable order: the event's own key-value pairs first (as
 * given to the SLF4J fluent API), then MDC fields, well-known ones first ({@code worker_id, execution_id,
 * attempt, node_id, trace_id, span_id}), the rest by name.
 *
 * <p>A field appears once per line: the MDC is the thread's context, so a key the event already
 * carries (as a key-value pair, or written {@code key=value} into its message) is not added again.
 */
final class EventFields {
    static final String OUR_PREFIX = "io.nebula.worker.";
    private static final List<String> WELL_KNOWN =
            List.of("worker_id", "execution_id", "attempt", "node_id", "trace_id", "span_id");

    private EventFields() {}

    /** {@code io.nebula.worker.queue.ClaimLoop} becomes {@code queue.ClaimLoop}; others stay whole. */
    static String shortLogger(String name) {
        return name.startsWith(OUR_PREFIX) ? name.substring(OUR_PREFIX.length()) : name;
    }

    static String message(ILoggingEvent event) {
        return Redaction.redact(event.getFormattedMessage());
    }

    /** The stack trace, redacted, or {@code null}. */
    static String stackTrace(ILoggingEvent event) {
        IThrowableProxy proxy = event.getThrowableProxy();
        return proxy == null ? null : Redaction.redact(ThrowableProxyUtil.asString(proxy));
    }

    /** Key-value pairs then MDC fields, in display order. Values are the objects given. */
    static List<Map.Entry<String, Object>> fields(ILoggingEvent event) {
        List<Map.Entry<String, Object>> out = new ArrayList<>();
        Set<String> given = new HashSet<>();
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair kv : pairs) {
                if (given.add(kv.key)) {
                    out.add(Map.entry(kv.key, kv.value == null ? "null" : kv.value));
                }
            }
        }
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null && !mdc.isEmpty()) {
            String message = event.getFormattedMessage();
            for (String key : WELL_KNOWN) {
                String v = mdc.get(key);
                if (v != null && !given.contains(key) && !inMessage(message, key)) {
                    out.add(Map.entry(key, v));
                }
            }
            new TreeMap<>(mdc).forEach((k, v) -> {
                if (!WELL_KNOWN.contains(k) && v != null && !given.contains(k) && !inMessage(message, k)) {
                    out.add(Map.entry(k, v));
                }
            });
        }
        return out;
    }

    /** Whether the message already says {@code key=...} (as a whole word, not {@code my_key=}). */
    static boolean inMessage(String message, String key) {
        if (message == null) {
            return false;
        }
        String needle = key + "=";
        for (int i = message.indexOf(needle); i >= 0; i = message.indexOf(needle, i + 1)) {
            if (i == 0 || !isKeyChar(message.charAt(i - 1))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isKeyChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-';
    }

    /** A field value as text, redacted: values may be URLs or driver messages. */
    static String text(Object value) {
        return Redaction.redact(String.valueOf(value));
    }
}
