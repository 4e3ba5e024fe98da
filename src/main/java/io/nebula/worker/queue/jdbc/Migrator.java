package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.ExecutionStore.SchemaStatus;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the numbered migrations of a dialect. Everything happens in one transaction that first
 * takes a lock (PostgreSQL: an advisory transaction lock; SQLite: the write lock of BEGIN
 * IMMEDIATE), so several workers starting at once apply each migration exactly once and the
 * others see it applied. Both dialects have transactional DDL, so a failed migration leaves
 * nothing half-done.
 */
final class Migrator {
    private static final Logger log = LoggerFactory.getLogger(Migrator.class);

    /**
     * How long a migration waits for each lock on a table it changes. Its DDL takes exclusive
     * locks: waiting behind a long transaction would queue every claim and completion behind it.
     * The transaction is tried again a few times (a lock timeout rolls it back) before it fails.
     */
    static final java.time.Duration TABLE_LOCK_WAIT = java.time.Duration.ofSeconds(3);

    /** How long a migration waits for another process's migration to end. */
    static final java.time.Duration MIGRATOR_WAIT = java.time.Duration.ofSeconds(50);

    private final Database db;
    private final String schema;

    Migrator(Database db, String schema) {
        this.db = db;
        this.schema = schema;
    }

    /** Returns how many migrations this call applied. */
    int migrate() {
        List<SqlLibrary.Migration> all = db.sql().migrations();
        List<SqlLibrary.Migration> applied;
        try {
            applied = db.run("migrate", Mode.TRANSACTION, false, s -> {
                // Another migrator holds the migration lock for as long as its migrations take.
                s.query("migration_lock_timeout", Params.of("timeout", MIGRATOR_WAIT.toMillis() + "ms"));
                s.query("migration_lock", Params.of("schema", schema));
                s.query("migration_lock_timeout", Params.of("timeout", TABLE_LOCK_WAIT.toMillis() + "ms"));
                return apply(s, all);
            });
        } catch (StoreException e) {
            if (lockTimedOut(e)) {
                throw new StoreException(
                        "cannot migrate the schema now: a lock it needs was not granted in time ("
                                + TABLE_LOCK_WAIT.toSeconds() + " s for a table, " + MIGRATOR_WAIT.toSeconds()
                                + " s for another process's migration; the migration was tried four times). A long"
                                + " transaction holds a table a migration changes (a report query, a dump, a"
                                + " session idle in a transaction: see pg_stat_activity), or another process"
                                + " is still migrating. Nothing was changed; migrate again once it has ended",
                        e);
            }
            throw e;
        }
        // Logged once committed: a try that was rolled back and run again applied nothing.
        for (SqlLibrary.Migration m : applied) {
            log.info("applied migration version={} name={}", m.version(), m.name());
        }
        if (applied.isEmpty()) {
            log.debug("schema is up to date version={}", all.size());
        }
        return applied.size();
    }

    /** Applies the migrations not yet recorded; returns them. */
    private List<SqlLibrary.Migration> apply(Session s, List<SqlLibrary.Migration> all) throws java.sql.SQLException {
        s.execute(db.sql().get("migration_prepare"));
        Set<Integer> done = new HashSet<>();
        for (Row r : s.query("migration_applied", Params.of())) {
            done.add(r.getInt("version"));
        }
        List<SqlLibrary.Migration> applied = new java.util.ArrayList<>();
        for (SqlLibrary.Migration m : all) {
            if (done.contains(m.version())) {
                continue;
            }
            s.execute(m.script());
            s.update("migration_record", Params.of("version", m.version()).set("name", m.name()));
            applied.add(m);
        }
        return applied;
    }

    /** Whether a lock wait of the migration ran out ({@code lock_timeout}, SQLSTATE 55P03). */
    private static boolean lockTimedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException s && "55P03".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    SchemaStatus status() {
        int expected = db.sql().schemaVersion();
        int current = db.run("schema_status", Mode.READ, true, s -> {
            if (s.query("migration_table_exists", Params.of()).get(0).getLong("n") == 0) {
                return 0;
            }
            int max = 0;
            for (Row r : s.query("migration_applied", Params.of())) {
                max = Math.max(max, r.getInt("version"));
            }
            return max;
        });
        return new SchemaStatus(current, expected);
    }
}
