package io.nebula.worker.e2e;

import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.testing.TestConfigs;

/** Sub-workflows on an embedded SQLite file. */
class SqliteSubWorkflowEndToEndTest extends SubWorkflowEndToEndContract {
    private WorkerConfig config;

    @Override
    protected WorkerConfig config() {
        if (config == null) {
            config = TestConfigs.sqlite(tmp.resolve("sub.db"));
        }
        return config;
    }

    @Override
    protected void cleanUp() {}
}
