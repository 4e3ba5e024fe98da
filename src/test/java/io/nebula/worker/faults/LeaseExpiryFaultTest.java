package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.faults.Nemesis.Kind;
import io.nebula.worker.faults.Nemesis.Pause;
import io.nebula.worker.testing.WorkerSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, lease expiry: a worker frozen with SIGSTOP past its lease, then resumed. Its
 * executions must be rescued and taken over; once resumed, the stale worker must notice the lost
 * leases (its trace says so for each), write nothing with its old epochs (invariant 3) and decide
 * to start no further node for those executions ({@link PauseCheck}).
 */
@Tag("fault")
class LeaseExpiryFaultTest {
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aWorkerPausedPastItsLeaseIsTakenOverAndItsStaleWritesAreRefused() {
        WorkerSettings s = FaultBounds.settings();
        try (FaultRun run = FaultRun.postgres("sigstop", s)) {
            run.fleet().start(run.names(3));
            run.workload().submitMixed(1000, 20);
            Duration frozen = FaultBounds.takeover(s).minus(FaultBounds.MARGIN).plusSeconds(2);
            run.nemesis().pauseFor(frozen);
            for (int i = 0; i < 2; i++) {
                long before = run.workload().unfinished();
                Awaitility.await()
                        .atMost(Duration.ofMinutes(1))
                        .until(() -> run.workload().unfinished() < before - 150);
                run.nemesis().inject(Kind.PAUSE);
            }
            run.workload().awaitDrained(Duration.ofMinutes(3));
            run.fleet().stopAll();

            CheckReport report = run.check(FaultBounds.MARGIN);
            assertThat(report.allValid()).as(report.render()).isTrue();

            int takenOver = 0;
            List<String> problems = new ArrayList<>();
            List<Pause> pauses = run.nemesis().pauses();
            for (int i = 0; i < pauses.size(); i++) {
                Pause p = pauses.get(i);
                Instant until = i + 1 < pauses.size() ? pauses.get(i + 1).pausedAt() : Instant.MAX;
                Set<String> stale = PauseCheck.staleEpochs(run.history(), p.instanceId(), p.pausedAt(), until);
                takenOver += stale.size();
                for (String problem :
                        PauseCheck.problems(p.worker().log(), p.resumeOffset(), stale, FaultWorkflows.dependencies())) {
                    problems.add(p.instanceId() + " " + problem);
                }
            }
            run.note("sigstop: " + run.nemesis().pauses().size() + " pauses of " + frozen.toMillis() + " ms, "
                    + takenOver + " executions taken over from the frozen workers");
            assertThat(takenOver)
                    .as("executions taken over from paused workers")
                    .isPositive();
            assertThat(problems).isEmpty();
        }
    }
}
