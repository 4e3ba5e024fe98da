package io.nebula.worker.schedule;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;

/** The scheduler on a real SQLite file. */
class SqliteSchedulerTest extends SchedulerContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.sqlite(dir.resolve("s.db"));
    }
}
