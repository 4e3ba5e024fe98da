package io.nebula.worker.faults;

import java.time.Duration;
import org.junit.jupiter.api.Tag;

/** A schedule firing every second for 30 s on PostgreSQL, three worker processes, one killed. */
@Tag("process")
class PostgresScheduleProcessTest extends ScheduleProcessContract {
    @Override
    protected FaultRun run(String scenario) {
        return FaultRun.postgres(scenario, FaultBounds.settings());
    }

    @Override
    protected Duration firing() {
        return Duration.ofSeconds(30);
    }
}
