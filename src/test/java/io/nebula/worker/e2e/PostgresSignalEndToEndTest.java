package io.nebula.worker.e2e;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;

/** Signals with real workers on PostgreSQL, each test in a fresh schema. */
class PostgresSignalEndToEndTest extends SignalEndToEndContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.postgres();
    }
}
