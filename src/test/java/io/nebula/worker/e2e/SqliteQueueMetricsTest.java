package io.nebula.worker.e2e;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;

/** Queue metrics of a worker process on an embedded SQLite file. */
class SqliteQueueMetricsTest extends QueueMetricsContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.sqlite(dir.resolve("metrics.db"));
    }
}
