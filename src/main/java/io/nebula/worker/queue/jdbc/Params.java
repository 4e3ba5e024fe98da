package io.nebula.worker.queue.jdbc;

import java.util.HashMap;
import java.util.Map;

/** Named statement parameters. A name used by a statement but not set here is an error. */
public final class Params {
    private final Map<String, Object> values = new HashMap<>();

    public static Params of() {
        return new Params();
    }

    public static Params of(String name, Object value) {
        return new Params().set(name, value);
    }

    public Params set(String name, Object value) {
        values.put(name, value);
        return this;
    }

    /**
     * Adds a parameter {@code name} that zips the list parameters {@code columns} (already set) into
     * rows, for dialects that read several lists at once (see {@link SqlRows}).
     */
    public Params zip(String name, String... columns) {
        java.util.List<SqlArray> cs = new java.util.ArrayList<>();
        for (String c : columns) {
            if (!(values.get(c) instanceof SqlArray a)) {
                throw new IllegalArgumentException("cannot zip :" + c + ": not a list parameter");
            }
            cs.add(a);
        }
        values.put(name, new SqlRows(cs));
        return this;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    Object get(String name) {
        return values.get(name);
    }
}
