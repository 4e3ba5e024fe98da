package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.faults.History.Event;
import io.nebula.worker.testing.WorkerLog;
import io.nebula.worker.testing.WorkerProcess;
import io.nebula.worker.testing.WorkerSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, SIGTERM under load: with a one-second grace period and long nodes in flight, a
 * terminated worker must turn unready at once, claim nothing after the signal, exit 0 within the
 * grace period plus a margin, and hand its unfinished executions back: each released execution is
 * claimed by another worker within a poll interval plus a margin, with its attempt given back, and
 * none of the stopped worker's executions needs a rescue.
 */
@Tag("fault")
class ShutdownFaultTest {
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void sigtermUnderLoadReleasesRunningWorkForOthersWithoutSpendingAttempts() {
        WorkerSettings s = FaultBounds.settings().with("worker.shutdown_timeout_seconds", 1);
        try (FaultRun run = FaultRun.postgres("sigterm", s)) {
            String[] names = run.names(3);
            run.fleet().start(names);
            run.workload().submitMixed(1000, 25);
            List<WorkerProcess> stopped = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                long before = run.workload().unfinished();
                Awaitility.await()
                        .atMost(Duration.ofMinutes(1))
                        .until(() -> run.workload().unfinished() < before - 200);
                WorkerProcess w = run.fleet().get(names[i]);
                stopped.add(w);
                Duration grace = Duration.ofSeconds(s.number("worker.shutdown_timeout_seconds"));
                List<Integer> ready;
                try (HealthWatch watch = new HealthWatch(() -> List.of(w), Duration.ofMillis(25))) {
                    run.nemesis().terminate(w);
                    int code = w.awaitExit(grace.plus(FaultBounds.MARGIN));
                    assertThat(code).as("exit code of %s", w).isZero();
                    ready = watch.probes().stream()
                            .map(HealthWatch.Probe::ready)
                            .filter(r -> r != -1)
                            .toList();
                }
                int firstUnready = ready.indexOf(503);
                if (firstUnready < 0
                        || ready.subList(firstUnready, ready.size()).contains(200)) {
                    problems.add(w + " readiness after SIGTERM: " + ready);
                }
                run.fleet().restart(names[i]);
            }
            run.workload().awaitDrained(Duration.ofMinutes(3));
            run.fleet().stopAll();

            CheckReport report = run.check(FaultBounds.MARGIN);
            assertThat(report.allValid()).as(report.render()).isTrue();

            Duration pickup = FaultBounds.poll(s).plus(FaultBounds.MARGIN);
            int released = 0;
            Duration slowest = Duration.ZERO;
            for (WorkerProcess w : stopped) {
                String id = w.instanceId();
                Instant signalled = w.log()
                        .first(e -> e.msg().startsWith("shutdown requested"))
                        .map(e -> Instant.parse(e.text("ts")))
                        .orElseThrow();
                for (List<Event> events : run.history().events().values()) {
                    for (int i = 0; i < events.size(); i++) {
                        Event e = events.get(i);
                        if (e.event().equals("claimed")
                                && id.equals(e.workerId())
                                && e.at().isAfter(signalled.plusSeconds(1))) {
                            problems.add(id + " claimed execution " + e.executionId() + " at " + e.at()
                                    + ", after SIGTERM at " + signalled);
                        }
                        if (e.event().equals("rescued") && FaultBounds.heldBy(e, id)) {
                            problems.add("execution " + e.executionId() + " of " + id + " needed a rescue");
                        }
                        if (e.event().equals("released") && id.equals(e.workerId())) {
                            released++;
                            Event next = i + 1 < events.size() ? events.get(i + 1) : null;
                            if (next == null || !next.event().equals("claimed") || id.equals(next.workerId())) {
                                problems.add("released execution " + e.executionId() + " was followed by " + next);
                                continue;
                            }
                            Event original = events.get(i - 1);
                            Duration took = Duration.between(e.at(), next.at());
                            slowest = took.compareTo(slowest) > 0 ? took : slowest;
                            if (next.attempt() != original.attempt() || took.compareTo(pickup) > 0) {
                                problems.add("released execution " + e.executionId() + " claimed again as attempt "
                                        + next.attempt() + " (was " + original.attempt() + ") after " + took);
                            }
                        }
                    }
                }
                WorkerLog log = w.log();
                assertThat(log.messages("nebula-worker stopped cleanly"))
                        .as("%s stopped cleanly", w)
                        .hasSize(1);
            }
            run.note("sigterm: " + stopped.size() + " workers stopped under load, " + released
                    + " executions released and taken over, slowest after " + slowest.toMillis() + " ms");
            assertThat(released)
                    .as("executions released by the stopped workers")
                    .isPositive();
            assertThat(problems).isEmpty();
        }
    }
}
