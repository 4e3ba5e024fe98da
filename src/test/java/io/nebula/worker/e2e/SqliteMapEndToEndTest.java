package io.nebula.worker.e2e;

import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.testing.TestConfigs;

/** Map nodes on an embedded SQLite file. */
class SqliteMapEndToEndTest extends MapEndToEndContract {
    private WorkerConfig config;

    @Override
    protected WorkerConfig config() {
        if (config == null) {
            config = TestConfigs.sqlite(tmp.resolve("map.db"));
        }
        return config;
    }

    @Override
    protected void cleanUp() {}
}
