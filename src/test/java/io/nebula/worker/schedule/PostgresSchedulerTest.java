package io.nebula.worker.schedule;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;

/** The scheduler on PostgreSQL, each test in a fresh schema. */
class PostgresSchedulerTest extends SchedulerContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.postgres();
    }
}
