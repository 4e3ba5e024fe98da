package io.nebula.worker.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The TOML configuration file of one worker process, built key by key ({@code "queue.listen"}).
 * Values are strings, numbers, booleans or lists of strings; {@link #toToml()} renders them in
 * sections. Immutable: every {@code with} returns a copy, so a test can derive variants from one
 * base.
 */
public final class WorkerSettings {
    private final Map<String, Object> values;

    private WorkerSettings(Map<String, Object> values) {
        this.values = Map.copyOf(values);
    }

    /**
     * Short timings for tests with real processes: 1 s heartbeats, a 4 s visibility timeout, 200
     * ms polling, a 3 s shutdown grace, JSON logs (set by the launcher), health on a free port.
     */
    public static WorkerSettings fastTimings() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("worker.concurrency", 8);
        v.put("worker.poll_interval_ms", 200);
        v.put("worker.heartbeat_interval_seconds", 1);
        v.put("worker.shutdown_timeout_seconds", 3);
        v.put("queue.batch_size", 8);
        v.put("queue.visibility_timeout_seconds", 4);
        v.put("queue.max_retries", 3);
        v.put("queue.retry_backoff_ms", 200);
        v.put("queue.retry_backoff_max_ms", 2000);
        v.put("database.max_connections", 3);
        v.put("health.bind", "127.0.0.1");
        v.put("health.port", 0);
        v.put("health.check_interval_seconds", 1);
        return new WorkerSettings(v);
    }

    public WorkerSettings with(String key, Object value) {
        if (!key.contains(".")) {
            throw new IllegalArgumentException("a key is section.name: " + key);
        }
        Map<String, Object> copy = new LinkedHashMap<>(values);
        copy.put(key, value);
        return new WorkerSettings(copy);
    }

    public Object get(String key) {
        return values.get(key);
    }

    /** A whole-number setting, for timing bounds in tests. */
    public long number(String key) {
        return ((Number) values.get(key)).longValue();
    }

    public String toToml() {
        Map<String, Map<String, Object>> sections = new TreeMap<>();
        values.forEach((k, v) -> {
            int dot = k.indexOf('.');
            sections.computeIfAbsent(k.substring(0, dot), s -> new TreeMap<>()).put(k.substring(dot + 1), v);
        });
        StringBuilder out = new StringBuilder();
        sections.forEach((section, entries) -> {
            out.append('[').append(section).append("]\n");
            entries.forEach(
                    (k, v) -> out.append(k).append(" = ").append(literal(v)).append('\n'));
            out.append('\n');
        });
        return out.toString();
    }

    private static String literal(Object v) {
        return switch (v) {
            case String s -> quote(s);
            case Number n -> n.toString();
            case Boolean b -> b.toString();
            case List<?> l ->
                "["
                        + String.join(
                                ", ",
                                l.stream().map(x -> quote(String.valueOf(x))).toList()) + "]";
            default -> throw new IllegalArgumentException("unsupported TOML value: " + v);
        };
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
