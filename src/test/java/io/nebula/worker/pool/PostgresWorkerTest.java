package io.nebula.worker.pool;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreOptions;

/** The worker pool on PostgreSQL, each test in a fresh schema. */
class PostgresWorkerTest extends WorkerContract {
    private String schema;

    @Override
    protected ExecutionStore openStore() {
        if (schema == null) {
            schema = PostgresTestDatabase.newSchema();
        }
        return PostgresTestDatabase.open(schema, StoreOptions.defaults("test").withMaxConnections(4));
    }

    @Override
    protected void recordFutureMigration(int version) throws Exception {
        try (java.sql.Connection c = PostgresTestDatabase.connect();
                java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO \"" + schema + "\".schema_migrations (version, name) VALUES (" + version
                    + ", 'future')");
        }
    }

    @Override
    protected void dropStore() {
        PostgresTestDatabase.dropSchema(schema);
    }
}
