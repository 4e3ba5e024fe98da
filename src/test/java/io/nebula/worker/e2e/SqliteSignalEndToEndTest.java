package io.nebula.worker.e2e;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;

/** Signals with real workers on an embedded SQLite file. */
class SqliteSignalEndToEndTest extends SignalEndToEndContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.sqlite(dir.resolve("signals.db"));
    }
}
