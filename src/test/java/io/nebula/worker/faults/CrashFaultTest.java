package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.faults.Nemesis.Kind;
import io.nebula.worker.testing.WorkerSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, crashes: three workers drain a few thousand mixed executions while a random one is
 * killed with {@code kill -9} every few seconds and restarted. Every invariant must hold, and each
 * execution a kill orphaned must be claimed by another worker within {@link FaultBounds#takeover}.
 */
@Tag("fault")
class CrashFaultTest {
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void killNineOfARandomWorkerEveryFewSeconds() {
        WorkerSettings s = FaultBounds.settings().with("queue.quarantine_after", 6);
        try (FaultRun run = FaultRun.postgres("kill-9", s)) {
            run.fleet().start(run.names(3));
            run.workload().submitMixed(3000, 5);
            run.nemesis().start(List.of(Kind.KILL), Duration.ofSeconds(2), Duration.ofSeconds(5));
            Awaitility.await()
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> run.workload().unfinished() == 0
                            || run.nemesis().injected().getOrDefault(Kind.KILL, 0) >= 10);
            run.nemesis().stop();
            run.workload().awaitDrained(Duration.ofMinutes(2));
            run.fleet().stopAll();

            CheckReport report = run.check(FaultBounds.MARGIN);
            assertThat(run.nemesis().errors()).isEmpty();
            assertThat(report.allValid()).as(report.render()).isTrue();
            assertThat(run.nemesis().injected().get(Kind.KILL)).isGreaterThanOrEqualTo(3);

            Duration bound = FaultBounds.takeover(run.fleet().settings());
            List<Duration> takeovers = FaultBounds.takeovers(run.history(), Kind.KILL.label);
            run.note("kill -9: " + takeovers.size() + " orphaned executions taken over, slowest "
                    + FaultBounds.max(takeovers).toMillis() + " ms after the kill (bound " + bound.toMillis() + " ms)");
            assertThat(takeovers)
                    .as("orphans taken over within %s of the kill", bound)
                    .allMatch(d -> d.compareTo(bound) <= 0);
        }
    }
}
