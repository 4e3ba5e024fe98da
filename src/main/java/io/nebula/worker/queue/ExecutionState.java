package io.nebula.worker.queue;

import java.util.Locale;

/**
 * The life cycle of an execution. {@code AVAILABLE} covers both "due now" and "scheduled for later"
 * (distinguished by {@code run_at}); the three terminal states never change once reached.
 */
public enum ExecutionState {
    AVAILABLE,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    private static final ExecutionState[] ALL = values();

    private final String dbName = name().toLowerCase(Locale.ROOT);

    /** The lower-case name stored in the database and printed by the command line. */
    public String dbName() {
        return dbName;
    }

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** Parses a stored or user-given state name; throws with the allowed names when unknown. */
    public static ExecutionState parse(String name) {
        for (ExecutionState s : ALL) {
            if (s.dbName.equals(name)) {
                return s;
            }
        }
        String given = name.trim();
        for (ExecutionState s : ALL) {
            if (s.dbName.equalsIgnoreCase(given)) {
                return s;
            }
        }
        throw new IllegalArgumentException(
                "unknown execution state '" + name + "' (allowed: available, running, succeeded, failed, cancelled)");
    }
}
