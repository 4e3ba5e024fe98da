package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.ExecutionStore.SchemaStatus;
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

    private final Database db;
    private final String schema;

    Migrator(Database db, String schema) {
        this.db = db;
        this.schema = schema;
    }

    /** Returns how many migrations this call applied. */
    int migrate() {
        List<SqlLibrary.Migration> all = db.sql().migrations();
        int applied = db.run("migrate", Mode.TRANSACTION, false, s -> {
            s.query("migration_lock", Params.of("schema", schema));
            s.execute(db.sql().get("migration_prepare"));
            Set<Integer> done = new HashSet<>();
            for (Row r : s.query("migration_applied", Params.of())) {
                done.add(r.getInt("version"));
            }
            int count = 0;
            for (SqlLibrary.Migration m : all) {
                if (done.contains(m.version())) {
                    continue;
                }
                s.execute(m.script());
                s.update("migration_record", Params.of("version", m.version()).set("name", m.name()));
                log.info("applied migration version={} name={}", m.version(), m.name());
                count++;
            }
            return count;
        });
        if (applied == 0) {
            log.debug("schema is up to date version={}", all.size());
        }
        return applied;
    }

    SchemaStatus status() {
        List<SqlLibrary.Migration> all = db.sql().migrations();
        int expected = all.isEmpty() ? 0 : all.get(all.size() - 1).version();
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
