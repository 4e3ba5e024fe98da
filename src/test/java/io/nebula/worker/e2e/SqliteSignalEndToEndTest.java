package io.nebula.worker.e2e;

import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.testing.TestConfigs;

/** Signals with real workers on an embedded SQLite file. */
class SqliteSignalEndToEndTest extends SignalEndToEndContract {
    private WorkerConfig config;

    @Override
    protected WorkerConfig config() {
        if (config == null) {
            config = TestConfigs.sqlite(tmp.resolve("signals.db"));
        }
        return config;
    }

    @Override
    protected void cleanUp() {}
}
