package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.faults.History.Event;
import io.nebula.worker.faults.History.Fault;
import io.nebula.worker.testing.WorkerProcess;
import io.nebula.worker.testing.WorkerSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, database restarts: the local PostgreSQL stopped ({@code -m fast}, then {@code -m
 * immediate}) for a few seconds under load and started again. No worker may exit; {@code /health}
 * stays 200 throughout; {@code /ready} turns 503 during each outage and 200 after; claiming
 * resumes within seconds of recovery; every worker's LISTEN connection comes back and wakes it
 * sooner than its (long) poll interval; every invariant holds. This restarts the shared server:
 * other users of it see their connections dropped too, and it is always started again.
 */
@Tag("fault")
class PostgresRestartFaultTest {
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void workersRideOutFastAndImmediateRestarts() throws Exception {
        PostgresServer server = PostgresServer.local().orElse(null);
        Assumptions.assumeTrue(server != null, "no local PostgreSQL cluster to restart (pg_ctlcluster)");
        // A poll interval far longer than a NOTIFY takes, so the wake-up check below means something;
        // leases long enough to outlive a short outage.
        WorkerSettings s = FaultBounds.settings()
                .with("worker.poll_interval_ms", 4000)
                .with("worker.heartbeat_interval_seconds", 2)
                .with("queue.visibility_timeout_seconds", 10);
        try (FaultRun run = FaultRun.postgres("postgres-restart", s)) {
            List<WorkerProcess> workers = run.fleet().start(run.names(3));
            run.workload().submitMixed(2000, 5);
            List<String> problems = new ArrayList<>();
            try (HealthWatch watch = new HealthWatch(run.fleet()::live, Duration.ofMillis(100))) {
                for (String mode : List.of("fast", "immediate")) {
                    long before = run.workload().unfinished();
                    Awaitility.await()
                            .atMost(Duration.ofMinutes(1))
                            .until(() -> run.workload().unfinished() < before - 300);
                    Instant down = Instant.now();
                    run.nemesis().restartPostgres(mode);
                    Instant up = Instant.now();
                    Awaitility.await("every worker ready again after the " + mode + " restart")
                            .atMost(Duration.ofSeconds(60))
                            .until(() -> workers.stream().allMatch(w -> w.status("/ready") == 200));
                    for (WorkerProcess w : workers) {
                        List<HealthWatch.Probe> during = watch.between(down, up).stream()
                                .filter(p -> p.worker() == w)
                                .toList();
                        if (during.stream().noneMatch(p -> p.ready() == 503)) {
                            problems.add(w + " never reported not ready during the " + mode + " restart");
                        }
                    }
                }
                run.workload().awaitDrained(Duration.ofMinutes(3));
                for (WorkerProcess w : workers) {
                    Awaitility.await("LISTEN of " + w + " re-established")
                            .atMost(Duration.ofSeconds(60))
                            .until(() -> !PostgresServer.connections("nebula-worker/" + w.instanceId() + "/listen")
                                    .isEmpty());
                }
                List<Long> wakeups = wakeUpMillis(run, 5);
                Duration notifyBound = FaultBounds.poll(s).multipliedBy(4).dividedBy(5);
                run.note("postgres restart: wake-up after recovery took " + wakeups + " ms (poll "
                        + FaultBounds.poll(s).toMillis() + " ms)");
                assertThat(wakeups)
                        .as("claimed on NOTIFY, before any poll could")
                        .allMatch(ms -> ms < notifyBound.toMillis());
                List<HealthWatch.Probe> unhealthy =
                        watch.probes().stream().filter(p -> p.health() != 200).toList();
                assertThat(unhealthy)
                        .as("/health answers while the database is down")
                        .isEmpty();
            }
            assertThat(workers).as("no worker exited").allMatch(WorkerProcess::alive);
            assertThat(run.fleet().all()).hasSize(3);
            run.fleet().stopAll();

            CheckReport report = run.check(FaultBounds.MARGIN);
            assertThat(run.nemesis().errors()).isEmpty();
            assertThat(report.allValid()).as(report.render()).isTrue();
            List<Duration> resumed = resumedClaiming(run.history());
            run.note("postgres restart: claiming resumed "
                    + resumed.stream().map(Duration::toMillis).toList() + " ms after each start");
            assertThat(resumed).hasSize(2).allMatch(d -> d.compareTo(Duration.ofSeconds(20)) < 0);
            assertThat(problems).isEmpty();
        }
    }

    /** For each "postgres started" fault, how long until the next claim (database clock). */
    private static List<Duration> resumedClaiming(History h) {
        List<Duration> out = new ArrayList<>();
        for (Fault f : h.faults()) {
            if (f.kind().equals("postgres started")) {
                h.events().values().stream()
                        .flatMap(List::stream)
                        .filter(e -> e.event().equals("claimed") && e.at().isAfter(f.at()))
                        .map(Event::at)
                        .min(Instant::compareTo)
                        .ifPresent(at -> out.add(Duration.between(f.at(), at)));
            }
        }
        return out;
    }

    /** Submits {@code n} quick executions one by one to idle workers; returns submit-to-claim times. */
    private static List<Long> wakeUpMillis(FaultRun run, int n) throws Exception {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long id = run.workload().submit(FaultWorkflows.QUICK, List.of("{}")).get(0);
            run.workload().awaitDrained(Duration.ofSeconds(30));
            try (Connection c = run.store().connect();
                    PreparedStatement ps = c.prepareStatement(
                            "SELECT (extract(epoch FROM min(h.at) - e.created_at) * 1000)::bigint FROM executions e"
                                    + " JOIN execution_history h ON h.execution_id = e.id AND h.event = 'claimed'"
                                    + " WHERE e.id = ? GROUP BY e.created_at")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }
}
