package io.nebula.worker.cli;

import io.nebula.worker.app.StoreFactory;
import io.nebula.worker.config.DatabaseUrl;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreOptions;
import java.nio.file.Files;
import java.time.Duration;

/**
 * Opens the configured store for one operator command: a small connection pool (a command runs a
 * few short statements, not a worker's load), no LISTEN connection, and a check that the schema is
 * the one this build expects (exit code 5 when it is missing, older or newer; 2 when a SQLite file
 * does not exist at all). Commands never migrate on their own; only {@code migrate} and a
 * starting worker do, so an operator's newer client cannot change a database older workers use.
 */
final class StoreAccess {
    private StoreAccess() {}

    /** Opens the store and checks its schema; the caller closes it. */
    static ExecutionStore open(WorkerConfig config) {
        return open(config, 2);
    }

    /** As {@link #open(WorkerConfig)} with up to {@code connections} connections (the console's pages). */
    static ExecutionStore open(WorkerConfig config, int connections) {
        ExecutionStore store = openUnchecked(config, true, connections);
        try {
            store.probe();
            ExecutionStore.SchemaStatus s = store.schemaStatus();
            if (s.currentVersion() == 0) {
                String where = config.database().url() instanceof DatabaseUrl.Postgres
                        ? " has no nebula schema yet in schema '"
                                + config.database().schema() + "' (database.schema)"
                        : " has no nebula schema yet";
                throw new CommandFailure(
                        ExitCode.CONFLICT,
                        "the database " + config.database().url().redacted() + where
                                + ": run `nebula-worker migrate` (a starting worker also migrates)");
            }
            if (!s.upToDate()) {
                throw new CommandFailure(
                        ExitCode.CONFLICT,
                        "the database schema is at version " + s.currentVersion() + " but this build needs "
                                + s.expectedVersion()
                                + (s.currentVersion() < s.expectedVersion()
                                        ? ": run `nebula-worker migrate`"
                                        : ": upgrade nebula-worker"));
            }
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * Opens the store without checking its schema. With {@code mustExist}, a missing SQLite file is
     * an error instead of being created empty by a command that only meant to read.
     */
    static ExecutionStore openUnchecked(WorkerConfig config, boolean mustExist) {
        return openUnchecked(config, mustExist, 2);
    }

    private static ExecutionStore openUnchecked(WorkerConfig config, boolean mustExist, int connections) {
        DatabaseUrl url = config.database().url();
        if (mustExist && url instanceof DatabaseUrl.Sqlite s && !Files.exists(s.file())) {
            throw new CommandFailure(
                    ExitCode.USAGE,
                    "no database at " + s.file() + ": start a worker or run `nebula-worker migrate` first, or set"
                            + " DATABASE_URL");
        }
        StoreOptions options = StoreOptions.defaults("nebula-worker-cli")
                .withMaxConnections(Math.min(connections, config.database().maxConnections()))
                .withSchema(config.database().schema())
                .withListen(false)
                // An operator waiting on a dead database wants to know soon; a worker waits longer.
                .withConnectTimeout(Duration.ofSeconds(5))
                .withMaxInputBytes(config.queue().maxInputBytes())
                .withMaxInputValues(config.limits().executionValues());
        return StoreFactory.open(url, options);
    }
}
