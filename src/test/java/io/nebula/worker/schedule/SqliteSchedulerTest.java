package io.nebula.worker.schedule;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler on a real SQLite file. */
class SqliteSchedulerTest extends SchedulerContract {
    @TempDir
    Path dir;

    @Override
    protected ExecutionStore newStore() {
        ExecutionStore s = SqliteExecutionStore.open(dir.resolve("s.db"), StoreOptions.defaults("test"));
        s.migrate();
        return s;
    }

    @Override
    protected ExecutionStore sameDatabase() {
        return SqliteExecutionStore.open(dir.resolve("s.db"), StoreOptions.defaults("test-other"));
    }

    @Override
    protected void dropDatabase() {}
}
