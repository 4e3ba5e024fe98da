package io.nebula.worker.e2e;

import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.testing.TestConfigs;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;

/** Example workflows on PostgreSQL, each test in a fresh schema. */
class PostgresWorkflowEndToEndTest extends WorkflowEndToEndContract {
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
    protected void fastForwardWaits() throws Exception {
        try (Connection c = PostgresTestDatabase.connect();
                Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE \"" + schema + "\".executions SET run_at = now() WHERE state = 'available'");
        }
    }

    @Override
    protected void cleanUp() {
        PostgresTestDatabase.dropSchema(schema);
    }
}
