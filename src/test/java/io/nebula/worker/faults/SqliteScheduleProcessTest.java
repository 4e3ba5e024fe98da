package io.nebula.worker.faults;

import java.time.Duration;
import org.junit.jupiter.api.Tag;

/**
 * The same on one SQLite file shared by three processes, firing for 15 s (half as long: the
 * PostgreSQL run covers the full 30 s, and the store behaviour is the same).
 */
@Tag("process")
class SqliteScheduleProcessTest extends ScheduleProcessContract {
    @Override
    protected FaultRun run(String scenario) {
        return FaultRun.sqlite(scenario, FaultBounds.settings());
    }

    @Override
    protected Duration firing() {
        return Duration.ofSeconds(15);
    }
}
