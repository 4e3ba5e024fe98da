package io.nebula.worker.faults;

import java.time.Duration;
import org.junit.jupiter.api.Tag;

/** The same on one SQLite file shared by three processes: every second for 30 s, one killed. */
@Tag("process")
class SqliteScheduleProcessTest extends ScheduleProcessContract {
    @Override
    protected FaultRun run(String scenario) {
        return FaultRun.sqlite(scenario, FaultBounds.settings());
    }

    @Override
    protected Duration firing() {
        return Duration.ofSeconds(30);
    }
}
