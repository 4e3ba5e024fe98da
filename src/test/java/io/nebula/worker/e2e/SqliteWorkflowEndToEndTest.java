package io.nebula.worker.e2e;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/** Example workflows on an embedded SQLite file. */
class SqliteWorkflowEndToEndTest extends WorkflowEndToEndContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.sqlite(dir.resolve("e2e.db"));
    }

    @Override
    protected void fastForwardWaits() throws Exception {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE executions SET run_at = 0 WHERE state = 'available'");
        }
    }
}
