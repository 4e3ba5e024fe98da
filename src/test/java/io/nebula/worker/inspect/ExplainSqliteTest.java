package io.nebula.worker.inspect;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Every explain reason against a real SQLite file. */
class ExplainSqliteTest extends ExplainContract {
    @TempDir
    Path dir;

    @Override
    protected ExecutionStore newStore() {
        ExecutionStore s = SqliteExecutionStore.open(dir.resolve("explain.db"), StoreOptions.defaults("explain-test"));
        s.migrate();
        return s;
    }

    @Override
    protected void dropDatabase() {}
}
