package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.faults.History.Event;
import io.nebula.worker.faults.History.Fault;
import io.nebula.worker.faults.Nemesis.Kind;
import io.nebula.worker.testing.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fault-injection suite (issue 9): real worker processes against the local PostgreSQL, a
 * seeded nemesis, and the {@link HistoryChecker} judging every run. Each scenario prints its seed
 * and writes its report under {@code target/process-tests/faults/}.
 */
@Tag("fault")
class FaultInjectionTest {
    /** Slack for a loaded two-core machine on top of every semantic bound. */
    static final Duration MARGIN = Duration.ofSeconds(6);

    static WorkerSettings settings() {
        return WorkerSettings.fastTimings().with("database.max_connections", 4);
    }

    /** Longest a lease can outlive its dead holder before another worker claims the execution. */
    static Duration takeoverBound(WorkerSettings s) {
        Duration vis = Duration.ofSeconds(s.number("queue.visibility_timeout_seconds"));
        Duration maintenance = vis.dividedBy(5);
        Duration leaderTtl = maintenance.multipliedBy(3).plusSeconds(1);
        Duration poll = Duration.ofMillis(s.number("worker.poll_interval_ms"));
        return vis.plus(leaderTtl).plus(maintenance.multipliedBy(2)).plus(poll).plus(MARGIN);
    }

    /**
     * For every execution a fault of kind {@code kind} orphaned (its rescue names the faulted
     * process as holder), the time from the fault to the next claim by another worker.
     */
    static List<Duration> takeovers(History h, String kind) {
        List<Duration> out = new ArrayList<>();
        for (Fault f : h.faults()) {
            if (!f.kind().equals(kind)) {
                continue;
            }
            for (List<Event> events : h.events().values()) {
                for (int i = 0; i < events.size(); i++) {
                    Event e = events.get(i);
                    if (e.event().equals("rescued")
                            && e.detail() != null
                            && e.detail().endsWith("held by " + f.target())) {
                        events.stream()
                                .skip(i + 1)
                                .filter(x -> x.event().equals("claimed"))
                                .findFirst()
                                .ifPresent(c -> out.add(Duration.between(f.at(), c.at())));
                    }
                }
            }
        }
        return out;
    }

    @Test
    @Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
    void killNineOfARandomWorkerEveryFewSeconds() {
        WorkerSettings s = settings().with("queue.quarantine_after", 6);
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

            CheckReport report = run.check(MARGIN);
            assertThat(run.nemesis().errors()).isEmpty();
            assertThat(report.allValid()).as(report.render()).isTrue();
            assertThat(run.nemesis().injected().get(Kind.KILL)).isGreaterThanOrEqualTo(3);

            Duration bound = takeoverBound(run.fleet().settings());
            List<Duration> takeovers = takeovers(run.history(), Kind.KILL.label);
            System.out.println("kill -9: " + takeovers.size() + " orphaned executions taken over, slowest after "
                    + takeovers.stream().max(Duration::compareTo).orElse(Duration.ZERO) + " (bound " + bound + ")");
            assertThat(takeovers)
                    .as("orphans taken over within %s of the kill", bound)
                    .allMatch(d -> d.compareTo(bound) <= 0);
        }
    }
}
