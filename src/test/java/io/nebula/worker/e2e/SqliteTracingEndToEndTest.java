package io.nebula.worker.e2e;

import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.testing.TestConfigs;

/** Traces of a worker on an embedded SQLite file. */
class SqliteTracingEndToEndTest extends TracingEndToEndContract {
    private WorkerConfig config;

    @Override
    protected WorkerConfig config() {
        if (config == null) {
            config = TestConfigs.sqlite(tmp.resolve("traces.db"));
        }
        return config;
    }

    @Override
    protected void cleanUp() {}
}
