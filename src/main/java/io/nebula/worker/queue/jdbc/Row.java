package io.nebula.worker.queue.jdbc;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One materialized result row, read by column label. Converts the representations of both dialects:
 * PostgreSQL timestamps and booleans, SQLite epoch milliseconds and 0/1 integers.
 */
public final class Row {
    private final Map<String, Integer> index;
    private final Object[] values;

    private Row(Map<String, Integer> index, Object[] values) {
        this.index = index;
        this.values = values;
    }

    /** Reads every row of {@code rs}. */
    static java.util.List<Row> readAll(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        Map<String, Integer> index = new HashMap<>();
        for (int c = 1; c <= n; c++) {
            index.put(md.getColumnLabel(c).toLowerCase(Locale.ROOT), c - 1);
        }
        java.util.List<Row> rows = new java.util.ArrayList<>();
        while (rs.next()) {
            Object[] v = new Object[n];
            for (int c = 1; c <= n; c++) {
                v[c - 1] = rs.getObject(c);
            }
            rows.add(new Row(index, v));
        }
        return rows;
    }

    private Object raw(String column) {
        Integer i = index.get(column);
        if (i == null) {
            throw new IllegalArgumentException("no column " + column + " in result (have " + index.keySet() + ")");
        }
        return values[i];
    }

    private static long asLong(Object v) {
        if (v == null) {
            return 0L;
        }
        return v instanceof Number num ? num.longValue() : Long.parseLong(v.toString());
    }

    private static boolean asBool(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number num) {
            return num.longValue() != 0;
        }
        return "true".equalsIgnoreCase(v.toString()) || "t".equalsIgnoreCase(v.toString());
    }

    /** Whether the result has this column at all. */
    public boolean has(String column) {
        return index.containsKey(column);
    }

    public boolean isNull(String column) {
        return raw(column) == null;
    }

    public String string(String column) {
        Object v = raw(column);
        return v == null ? null : v.toString();
    }

    public long getLong(String column) {
        return asLong(raw(column));
    }

    public int getInt(String column) {
        return (int) getLong(column);
    }

    public boolean bool(String column) {
        return asBool(raw(column));
    }

    public Instant instant(String column) {
        Object v = raw(column);
        if (v == null) {
            return null;
        }
        if (v instanceof Timestamp ts) {
            return ts.toInstant();
        }
        if (v instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (v instanceof Number num) {
            return Instant.ofEpochMilli(num.longValue());
        }
        if (v instanceof java.util.Date d) {
            return d.toInstant();
        }
        throw new IllegalArgumentException(
                "column " + column + " is not a time: " + v.getClass().getName());
    }
}
