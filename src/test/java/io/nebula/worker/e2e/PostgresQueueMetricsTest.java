package io.nebula.worker.e2e;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;

/** Queue metrics of a worker process on PostgreSQL, each test in a fresh schema. */
class PostgresQueueMetricsTest extends QueueMetricsContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.postgres();
    }
}
