package io.nebula.worker.e2e;

import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;

/** Sub-workflows on PostgreSQL, each test in a fresh schema. */
class PostgresSubWorkflowEndToEndTest extends SubWorkflowEndToEndContract {
    private final String schema = PostgresTestDatabase.newSchema();

    @BeforeAll
    static void requirePostgres() {
        PostgresTestDatabase.require();
    }

    @Override
    protected WorkerConfig config() {
        return TestConfigs.postgres(PostgresTestDatabase.URL, PostgresTestDatabase.properties(), schema);
    }

    @Override
    protected void cleanUp() {
        PostgresTestDatabase.dropSchema(schema);
    }
}
