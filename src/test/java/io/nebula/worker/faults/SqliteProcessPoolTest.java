package io.nebula.worker.faults;

import io.nebula.worker.testing.WorkerSettings;
import org.junit.jupiter.api.Tag;

/**
 * The pool with real processes on the embedded store: two worker processes share one SQLite file. A
 * paused process may hold the file's write lock while frozen, which stalls the other until it
 * resumes; the pause scenario then checks fencing only (see {@link #frozenProcessMayHoldTheStore}).
 */
@Tag("process")
class SqliteProcessPoolTest extends ProcessPoolContract {
    @Override
    protected FaultRun run(String scenario, WorkerSettings settings) {
        return FaultRun.sqlite("pool-sqlite-" + scenario, settings);
    }

    @Override
    protected int processes() {
        return 2;
    }

    @Override
    protected boolean frozenProcessMayHoldTheStore() {
        return true;
    }
}
