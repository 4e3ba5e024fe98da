package io.nebula.worker.queue.jdbc;

import java.util.List;

/**
 * A list parameter. PostgreSQL receives it as a typed array ({@code unnest}, {@code = ANY}); SQLite
 * receives it as JSON text ({@code json_each}). Elements may be {@code null}.
 *
 * @param pgType the PostgreSQL element type name: bigint, integer, text or boolean
 */
public record SqlArray(String pgType, List<?> values) {
    public static SqlArray ofLongs(List<Long> values) {
        return new SqlArray("bigint", values);
    }

    public static SqlArray ofInts(List<Integer> values) {
        return new SqlArray("integer", values);
    }

    public static SqlArray ofStrings(List<String> values) {
        return new SqlArray("text", values);
    }

    public static SqlArray ofBooleans(List<Boolean> values) {
        return new SqlArray("boolean", values);
    }
}
