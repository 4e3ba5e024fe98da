package io.nebula.worker.e2e;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;

/** Sub-workflows on PostgreSQL, each test in a fresh schema. */
class PostgresSubWorkflowEndToEndTest extends SubWorkflowEndToEndContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.postgres();
    }
}
