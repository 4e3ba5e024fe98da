package io.nebula.worker.e2e;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;

/** Traces of a worker on an embedded SQLite file. */
class SqliteTracingEndToEndTest extends TracingEndToEndContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.sqlite(dir.resolve("traces.db"));
    }
}
