package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.faults.History.Event;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.testing.PgBouncer;
import io.nebula.worker.testing.WorkerProcess;
import io.nebula.worker.testing.WorkerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Worker processes behind PgBouncer in transaction pooling (Debian's 1.18, started by the test):
 * with {@code queue.listen = false} three of them drain 300 mixed executions through six server
 * connections, judged by the {@link HistoryChecker}; one started with LISTEN on refuses to start
 * with exit code 2 and says which setting to change.
 */
@Tag("process")
class PgBouncerProcessTest {
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void pollOnlyWorkersDrainExecutionsThroughTransactionPoolingAndAListeningOneRefusesToStart() {
        PostgresTestDatabase.require();
        try (PgBouncer bouncer = PgBouncer.start("127.0.0.1", 5432, "test", 6, Map.of());
                FaultRun run = FaultRun.postgresVia(
                        "pgbouncer",
                        FaultBounds.settings().with("queue.listen", false).with("worker.poll_interval_ms", 500),
                        bouncer.jdbcUrl("test") + "?user=" + PostgresTestDatabase.USER,
                        PostgresTestDatabase.URL)) {
            String[] names = run.names(4);
            WorkerSettings listening = run.fleet().settings().with("queue.listen", true);
            WorkerProcess refused = run.fleet().launch(names[3], listening, Map.of());
            assertThat(refused.awaitExit(Duration.ofSeconds(90)))
                    .as("a worker with LISTEN behind PgBouncer exits at start:\n%s", refused.tail(20))
                    .isEqualTo(2);
            assertThat(refused.tail(20)).contains("connection pooler").contains("set queue.listen = false");

            List<WorkerProcess> workers = run.fleet().start(names[0], names[1], names[2]);
            run.workload().submitMixed(300, 10);
            run.workload().awaitDrained(Duration.ofMinutes(2));
            for (WorkerProcess w : workers) {
                assertThat(w.log().select(e -> e.msg().startsWith("database reached through a connection pooler")))
                        .as("%s saw the pooler", w)
                        .isNotEmpty();
            }
            run.fleet().stopAll();
            CheckReport report = run.check(FaultBounds.MARGIN);
            assertThat(report.allValid()).as(report.render()).isTrue();

            History h = run.history();
            assertThat(h.executions().values())
                    .hasSize(300)
                    .allMatch(e -> e.state().equals("succeeded"));
            Map<String, Long> byWorker = h.events().values().stream()
                    .flatMap(List::stream)
                    .filter(e -> e.event().equals("succeeded"))
                    .collect(Collectors.groupingBy(Event::workerId, Collectors.counting()));
            assertThat(byWorker).as("every poll-only worker did work").hasSize(3);
            assertThat(bouncer.log()).doesNotContain("unsupported startup parameter");
            run.note("pgbouncer: 300 executions through transaction pooling, by worker " + byWorker);
        }
    }
}
