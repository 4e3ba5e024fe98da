package io.nebula.worker.e2e;

import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;

/** Map nodes on an embedded SQLite file. */
class SqliteMapEndToEndTest extends MapEndToEndContract {
    @Override
    protected TestDatabase newDatabase(Path dir) {
        return TestDatabase.sqlite(dir.resolve("map.db"));
    }
}
