package io.nebula.worker.e2e;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/** Example workflows on PostgreSQL, each test in a fresh schema. */
class PostgresWorkflowEndToEndTest extends WorkflowEndToEndContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.postgres();
    }

    @Override
    protected void fastForwardWaits() throws Exception {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE \"" + db.schema() + "\".executions SET run_at = now() WHERE state = 'available'");
        }
    }
}
