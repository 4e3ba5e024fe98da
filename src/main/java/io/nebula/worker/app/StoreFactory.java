package io.nebula.worker.app;

import io.nebula.worker.config.DatabaseUrl;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.postgres.PostgresExecutionStore;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;

/** Opens the store a configuration names: PostgreSQL for a libpq or JDBC URL, SQLite for a file. */
public final class StoreFactory {
    private StoreFactory() {}

    /**
     * @param clientName identifies this process's connections (PostgreSQL application name)
     */
    public static ExecutionStore open(WorkerConfig config, String clientName) {
        StoreOptions options = StoreOptions.defaults(clientName)
                .withMaxConnections(config.database().maxConnections())
                .withSchema(config.database().schema())
                .withListen(config.queue().listen())
                .withMaxInputBytes(config.queue().maxInputBytes())
                .withMaxInputValues(config.limits().executionValues());
        return open(config.database().url(), options);
    }

    /**
     * The schema version this build's migrations end at for a SQLite file: what {@code migrate
     * --check} compares a file that does not exist yet (version 0) with, without creating it.
     */
    public static int sqliteSchemaVersion() {
        return SqliteExecutionStore.schemaVersion();
    }

    public static ExecutionStore open(DatabaseUrl url, StoreOptions options) {
        return switch (url) {
            case DatabaseUrl.Postgres pg -> PostgresExecutionStore.open(pg.jdbcUrl(), pg.properties(), options);
            case DatabaseUrl.Sqlite s -> SqliteExecutionStore.open(s.file(), options);
        };
    }
}
