package io.nebula.worker.e2e;

import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.testing.TestConfigs;

/** Queue metrics of a worker process on an embedded SQLite file. */
class SqliteQueueMetricsTest extends QueueMetricsContract {
    private WorkerConfig config;

    @Override
    protected WorkerConfig config() {
        if (config == null) {
            config = TestConfigs.sqlite(tmp.resolve("metrics.db"));
        }
        return config;
    }

    @Override
    protected void cleanUp() {}
}
