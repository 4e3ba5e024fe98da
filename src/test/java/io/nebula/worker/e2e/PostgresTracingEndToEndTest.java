package io.nebula.worker.e2e;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;

/** Traces of a worker on PostgreSQL, each test in a fresh schema. */
class PostgresTracingEndToEndTest extends TracingEndToEndContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.postgres();
    }
}
