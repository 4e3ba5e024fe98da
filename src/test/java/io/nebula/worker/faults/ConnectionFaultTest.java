package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.faults.Nemesis.Kind;
import io.nebula.worker.testing.WorkerProcess;
import io.nebula.worker.testing.WorkerSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, connections: the workers' database connections (pool, listener, heartbeat, found
 * by {@code application_name}) terminated over and over under load; and lost wake-ups, with LISTEN
 * switched off or its connection killed, where polling alone must still pick every execution up
 * within a poll interval plus a margin.
 */
@Tag("fault")
class ConnectionFaultTest {
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void workersRecoverFromTerminatedConnections() {
        try (FaultRun run = FaultRun.postgres("dropped-connections", FaultBounds.settings())) {
            List<WorkerProcess> workers = run.fleet().start(run.names(3));
            run.workload().submitMixed(2500, 5);
            run.nemesis()
                    .start(
                            List.of(Kind.DROP_CONNECTIONS, Kind.DROP_CONNECTIONS, Kind.DROP_LISTENER),
                            Duration.ofMillis(700),
                            Duration.ofMillis(2000));
            Awaitility.await()
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> run.workload().unfinished() == 0
                            || run.nemesis().injected().values().stream()
                                            .mapToInt(Integer::intValue)
                                            .sum()
                                    >= 20);
            run.nemesis().stop();
            run.workload().awaitDrained(Duration.ofMinutes(2));
            assertThat(workers).as("no worker exited").allMatch(WorkerProcess::alive);
            assertThat(run.fleet().all()).as("no worker was restarted").hasSize(3);
            for (WorkerProcess w : workers) {
                Awaitility.await("listener of " + w + " back")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> !PostgresServer.connections("nebula-worker/" + w.instanceId() + "/listen")
                                .isEmpty());
            }
            run.fleet().stopAll();

            CheckReport report = run.check(FaultBounds.MARGIN);
            assertThat(run.nemesis().errors()).isEmpty();
            assertThat(report.allValid()).as(report.render()).isTrue();
            run.note("dropped connections: " + run.nemesis().injected());
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyExecutionIsPickedUpByPollingWhenWakeUpsAreLost() throws Exception {
        WorkerSettings base = FaultBounds.settings().with("worker.poll_interval_ms", 1000);
        try (FaultRun run = FaultRun.postgres("lost-wakeups", base)) {
            String[] names = run.names(2);
            Random random = new Random(run.seed());
            // Phase 1: LISTEN switched off (as behind PgBouncer in transaction pooling).
            WorkerProcess deaf = run.fleet()
                    .launch(names[0], run.fleet().settings().with("queue.listen", false), Map.of())
                    .awaitReady(Fleet.READY);
            List<Long> phase1 = trickle(run, random, 40, () -> {});
            run.workload().awaitDrained(Duration.ofMinutes(1));
            deaf.terminate();
            assertThat(deaf.awaitExit(Duration.ofSeconds(30))).isZero();
            // Phase 2: LISTEN on, but its connection killed again and again.
            WorkerProcess cut = run.fleet().start(names[1]).get(0);
            List<Long> phase2 = trickle(run, random, 40, () -> run.nemesis().dropConnections(cut, "listen"));
            run.workload().awaitDrained(Duration.ofMinutes(1));
            run.fleet().stopAll();

            CheckReport report = run.check(FaultBounds.MARGIN);
            assertThat(report.allValid()).as(report.render()).isTrue();
            Duration bound = FaultBounds.poll(base).multipliedBy(6).dividedBy(5).plusSeconds(2);
            List<Long> waits1 = pickupMillis(run.store(), phase1);
            List<Long> waits2 = pickupMillis(run.store(), phase2);
            run.note("lost wake-ups: poll " + FaultBounds.poll(base).toMillis() + " ms; slowest pickup "
                    + Collections.max(waits1) + " ms with LISTEN off, " + Collections.max(waits2)
                    + " ms with its connection killed "
                    + run.nemesis().injected().get(Kind.DROP_LISTENER)
                    + " times (bound " + bound.toMillis() + " ms)");
            assertThat(waits1).hasSize(phase1.size()).allMatch(ms -> ms <= bound.toMillis());
            assertThat(waits2).hasSize(phase2.size()).allMatch(ms -> ms <= bound.toMillis());
        }
    }

    /** Submits {@code n} quick executions one at a time, 100 to 400 ms apart, doing {@code between}. */
    private static List<Long> trickle(FaultRun run, Random random, int n, Runnable between)
            throws InterruptedException {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.addAll(run.workload().submit(FaultWorkflows.QUICK, List.of("{}")));
            if (i % 8 == 7) {
                between.run();
            }
            Thread.sleep(100 + random.nextInt(300)); // the workload's pace, not a synchronisation
        }
        return ids;
    }

    /** For each execution, milliseconds from its creation to its first claim (database clock). */
    private static List<Long> pickupMillis(TestStore store, List<Long> ids) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = store.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT e.id, (extract(epoch FROM min(h.at) - e.created_at) * 1000)::bigint"
                                + " FROM executions e JOIN execution_history h ON h.execution_id = e.id"
                                + " AND h.event = 'claimed' GROUP BY e.id, e.created_at")) {
            while (rs.next()) {
                if (ids.contains(rs.getLong(1))) {
                    out.add(rs.getLong(2));
                }
            }
        }
        return out;
    }
}
