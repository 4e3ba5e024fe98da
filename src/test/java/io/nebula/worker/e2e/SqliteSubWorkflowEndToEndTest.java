package io.nebula.worker.e2e;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;

/** Sub-workflows on an embedded SQLite file. */
class SqliteSubWorkflowEndToEndTest extends SubWorkflowEndToEndContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.sqlite(dir.resolve("sub.db"));
    }
}
