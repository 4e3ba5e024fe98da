package io.nebula.worker.queue;

import java.util.Locale;

/** The recorded outcome of one node of one execution. */
public enum NodeStatus {
    SUCCEEDED,
    FAILED,
    SKIPPED;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static NodeStatus parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
