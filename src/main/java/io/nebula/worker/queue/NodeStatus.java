package io.nebula.worker.queue;

import java.util.Locale;

/** The recorded outcome of one node of one execution. */
public enum NodeStatus {
    SUCCEEDED,
    FAILED,
    SKIPPED;

    private final String dbName = name().toLowerCase(Locale.ROOT);

    /** The lower-case name stored in the database. */
    public String dbName() {
        return dbName;
    }

    public static NodeStatus parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
