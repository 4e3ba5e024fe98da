package io.nebula.worker.pool;

import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.postgres.PostgresExecutionStore;
import io.nebula.worker.testing.ScriptedRunner;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Wake-ups on PostgreSQL are a hint: an idle worker wakes on NOTIFY long before its next poll, and
 * with LISTEN disabled or its connection killed, polling still picks everything up. Queue
 * statements stay at READ COMMITTED even when the role defaults to SERIALIZABLE.
 */
class PostgresWakeupTest {
    private static final WorkflowDocument WF = new WorkflowDocument("wk", "wakeup", "{}");
    private final String schema = PostgresTestDatabase.newSchema();
    private ExecutionStore submitter;
    private final List<Worker> workers = new ArrayList<>();

    @BeforeAll
    static void requirePostgres() {
        PostgresTestDatabase.require();
    }

    @BeforeEach
    void setUp() {
        submitter = PostgresTestDatabase.open(schema, StoreOptions.defaults("submitter"));
        submitter.migrate();
        submitter.workflowPut(WF);
    }

    @AfterEach
    void tearDown() {
        workers.forEach(w -> w.stop(Duration.ZERO));
        submitter.close();
        PostgresTestDatabase.dropSchema(schema);
    }

    private final java.util.concurrent.atomic.AtomicInteger claims = new java.util.concurrent.atomic.AtomicInteger();

    private Worker start(String id, Duration poll, StoreOptions store, Properties props) {
        Worker w = Worker.builder()
                .listener(new io.nebula.worker.observe.WorkerListener() {
                    @Override
                    public void claimed(int requested, int received) {
                        claims.incrementAndGet();
                    }
                })
                .options(PoolOptions.defaults(id)
                        .withPollInterval(poll)
                        .withConcurrency(8)
                        .withBatchSize(20))
                .store(PostgresExecutionStore.open(PostgresTestDatabase.URL, props, store.withSchema(schema)), true)
                .runner(new ScriptedRunner())
                .build();
        workers.add(w);
        w.start();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> w.readiness().snapshot().ready());
        return w;
    }

    private long submit() {
        return submitter
                .executionSubmitMany(List.of(SubmitRequest.now("default", WF.hash(), WF.name(), "{}", 1)))
                .get(0)
                .executionId();
    }

    private ExecutionState state(long id) {
        return submitter.executionGet(id).orElseThrow().state();
    }

    @Test
    void anIdleWorkerWakesOnNotifyLongBeforeItsNextPoll() {
        Worker w = start(
                "listener", Duration.ofMinutes(10), StoreOptions.defaults("w"), PostgresTestDatabase.properties());
        await().atMost(Duration.ofSeconds(10)).until(w::wakeupsConnected);
        // After its first (empty) claim the loop sleeps on its ten-minute poll; only a wake-up helps.
        await().atMost(Duration.ofSeconds(10)).until(() -> claims.get() >= 1);
        long id = submit();
        await().atMost(Duration.ofSeconds(20)).until(() -> state(id) == ExecutionState.SUCCEEDED);
    }

    @Test
    void withListenDisabledPollingPicksEverythingUp() {
        start(
                "poller",
                Duration.ofMillis(200),
                StoreOptions.defaults("w").withListen(false),
                PostgresTestDatabase.properties());
        for (int i = 0; i < 50; i++) {
            submit();
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> submitter
                                .executionList(new ExecutionFilter(ExecutionState.SUCCEEDED, null, null, 100))
                                .size()
                        == 50);
    }

    @Test
    void aKilledListenerConnectionReconnectsAndPollingCoversTheGap() throws Exception {
        Worker w = start(
                "relisten",
                Duration.ofMillis(500),
                StoreOptions.defaults("relisten-test"),
                PostgresTestDatabase.properties());
        await().atMost(Duration.ofSeconds(10)).until(w::wakeupsConnected);
        try (Connection c = PostgresTestDatabase.connect();
                Statement st = c.createStatement()) {
            st.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'relisten-test/listen'");
        }
        long during = submit();
        await().atMost(Duration.ofSeconds(20)).until(() -> state(during) == ExecutionState.SUCCEEDED);
        await().atMost(Duration.ofSeconds(20)).until(w::wakeupsConnected);
        long after = submit();
        await().atMost(Duration.ofSeconds(20)).until(() -> state(after) == ExecutionState.SUCCEEDED);
    }

    @Test
    void queueStatementsRunAtReadCommittedWhenTheRoleDefaultsToSerializable() {
        Properties props = PostgresTestDatabase.properties();
        props.setProperty("options", "-c default_transaction_isolation=serializable");
        start("a", Duration.ofMillis(50), StoreOptions.defaults("a"), props);
        start("b", Duration.ofMillis(50), StoreOptions.defaults("b"), props);
        List<SubmitRequest> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            batch.add(SubmitRequest.now("default", WF.hash(), WF.name(), "{}", 1));
        }
        submitter.executionSubmitMany(batch);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> submitter
                                .executionList(new ExecutionFilter(ExecutionState.SUCCEEDED, null, null, 1000))
                                .size()
                        == 500);
    }
}
