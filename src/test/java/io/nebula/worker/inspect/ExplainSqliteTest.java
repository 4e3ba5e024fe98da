package io.nebula.worker.inspect;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;

/** Every explain reason against a real SQLite file. */
class ExplainSqliteTest extends ExplainContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.sqlite(dir.resolve("explain.db"));
    }
}
