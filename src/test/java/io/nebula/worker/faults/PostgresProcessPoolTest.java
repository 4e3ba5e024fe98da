package io.nebula.worker.faults;

import io.nebula.worker.testing.WorkerSettings;
import org.junit.jupiter.api.Tag;

/** The pool with real processes on PostgreSQL: three worker processes share one schema. */
@Tag("process")
class PostgresProcessPoolTest extends ProcessPoolContract {
    @Override
    protected FaultRun run(String scenario, WorkerSettings settings) {
        return FaultRun.postgres("pool-" + scenario, settings);
    }

    @Override
    protected int processes() {
        return 3;
    }
}
