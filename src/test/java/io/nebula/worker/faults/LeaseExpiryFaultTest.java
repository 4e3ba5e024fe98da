package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.faults.History.Event;
import io.nebula.worker.faults.Nemesis.Kind;
import io.nebula.worker.faults.Nemesis.Pause;
import io.nebula.worker.testing.WorkerLog;
import io.nebula.worker.testing.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
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
 * leases (its trace says so for each), write nothing with its old epochs (invariant 3) and start no
 * further node for those executions (nothing in its log after the resume).
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
            for (Pause p : run.nemesis().pauses()) {
                // The epochs this worker held that were rescued while it was frozen.
                Set<String> stale = new HashSet<>();
                for (List<Event> events : run.history().events().values()) {
                    for (Event e : events) {
                        if (e.event().equals("rescued") && FaultBounds.heldBy(e, p.instanceId())) {
                            stale.add(e.executionId() + "/" + e.leaseEpoch());
                        }
                    }
                }
                takenOver += stale.size();
                WorkerLog after = p.worker().log().after(p.resumeOffset());
                Set<String> reportedLost = new HashSet<>();
                for (WorkerLog.Entry e : after.messages("lease lost")) {
                    reportedLost.add(e.number("execution_id") + "/" + e.number("lease_epoch"));
                }
                for (WorkerLog.Entry e : after.messages("node started")) {
                    String key = e.number("execution_id") + "/" + e.number("lease_epoch");
                    if (stale.contains(key)) {
                        problems.add(p.instanceId() + " started node " + e.text("node_id") + " of " + key
                                + " after it was resumed");
                    }
                }
                for (String key : stale) {
                    if (!reportedLost.contains(key)) {
                        problems.add(p.instanceId() + " never reported the lease of " + key + " lost");
                    }
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
