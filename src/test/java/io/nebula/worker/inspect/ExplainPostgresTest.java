package io.nebula.worker.inspect;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;

/** Every explain reason against the local PostgreSQL, each test in a fresh schema. */
class ExplainPostgresTest extends ExplainContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.postgres();
    }
}
