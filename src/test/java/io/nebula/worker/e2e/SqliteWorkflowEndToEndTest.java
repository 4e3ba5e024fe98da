package io.nebula.worker.e2e;

import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.testing.TestConfigs;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/** Example workflows on an embedded SQLite file. */
class SqliteWorkflowEndToEndTest extends WorkflowEndToEndContract {
    private WorkerConfig config;

    @Override
    protected WorkerConfig config() {
        if (config == null) {
            config = TestConfigs.sqlite(tmp.resolve("e2e.db"));
        }
        return config;
    }

    @Override
    protected void fastForwardWaits() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("e2e.db"));
                Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 10000");
            st.executeUpdate("UPDATE executions SET run_at = 0 WHERE state = 'available'");
        }
    }

    @Override
    protected void cleanUp() {}
}
