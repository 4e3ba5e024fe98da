package io.nebula.worker.pool;

import io.nebula.worker.queue.StoreException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether this worker can take work, kept up to date by the loops that talk to the database (a
 * claim or heartbeat failure marks the database unreachable at once; the periodic check marks it
 * back) and by the life cycle. Probes read the last answer and never wait for the database.
 */
public final class Readiness {
    /** The life-cycle phase. */
    public enum Phase {
        STARTING,
        RUNNING,
        STOPPING,
        STOPPED
    }

    /** A consistent view for probes. {@code reason} says why the worker is not ready, or null. */
    public record Snapshot(Phase phase, boolean databaseReachable, boolean schemaReady, String reason) {
        public boolean ready() {
            return phase == Phase.RUNNING && databaseReachable && schemaReady;
        }
    }

    private final AtomicReference<Snapshot> state =
            new AtomicReference<>(new Snapshot(Phase.STARTING, false, false, "starting"));

    public Snapshot snapshot() {
        return state.get();
    }

    /** Moves the life cycle forward; it never goes back (a late start cannot undo a stop). */
    void phase(Phase p) {
        state.updateAndGet(s -> p.ordinal() < s.phase().ordinal()
                ? s
                : new Snapshot(
                        p,
                        s.databaseReachable(),
                        s.schemaReady(),
                        reason(p, s.databaseReachable(), s.schemaReady(), s.reason())));
    }

    void databaseAnswered() {
        Snapshot s = state.get();
        if (!s.databaseReachable()) {
            state.updateAndGet(x ->
                    new Snapshot(x.phase(), true, x.schemaReady(), reason(x.phase(), true, x.schemaReady(), null)));
        }
    }

    /**
     * The database failed a call. A recognised problem says why in plain words, without host or
     * port (probes answer anyone who can reach the port); anything else reads "database
     * unreachable".
     */
    void databaseFailed(StoreException e) {
        databaseFailed(e.problem() == null ? null : e.problem().publicMessage());
    }

    /** As {@link #databaseFailed(StoreException)}, with the why already in words, or {@code null}. */
    void databaseFailed(String why) {
        state.updateAndGet(
                x -> new Snapshot(x.phase(), false, x.schemaReady(), reason(x.phase(), false, x.schemaReady(), why)));
    }

    void schema(boolean ready, String detail) {
        state.updateAndGet(
                x -> new Snapshot(x.phase(), true, ready, reason(x.phase(), true, ready, ready ? null : detail)));
    }

    private static String reason(Phase p, boolean db, boolean schema, String detail) {
        if (p == Phase.STOPPING || p == Phase.STOPPED) {
            return "shutting down";
        }
        if (!db) {
            return detail == null ? "database unreachable" : "database unreachable: " + detail;
        }
        if (!schema) {
            return detail != null ? detail : "migrations missing";
        }
        if (p == Phase.STARTING) {
            return "starting";
        }
        return null;
    }
}
