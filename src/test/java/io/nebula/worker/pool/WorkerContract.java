package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.testing.ScriptedRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Worker pool behaviour in one process, run against every store. */
abstract class WorkerContract {
    static final WorkflowDocument WF = new WorkflowDocument("wf-hash", "scripted", "{}");
    protected ExecutionStore store;
    private final List<Worker> workers = new ArrayList<>();

    protected abstract ExecutionStore openStore();

    protected abstract void dropStore();

    /** Records a migration this build does not know, as a newer build's migrate would. */
    protected abstract void recordFutureMigration(int version) throws Exception;

    @BeforeEach
    void setUp() {
        store = openStore();
        store.migrate();
        store.workflowPut(WF);
    }

    @AfterEach
    void tearDown() {
        for (Worker w : workers) {
            w.stop(Duration.ZERO);
        }
        store.close();
        dropStore();
    }

    Worker start(String id, ScriptedRunner runner, PoolOptions o) {
        Worker w = Worker.builder()
                .options(o)
                .store(openStore(), true)
                .runner(runner)
                .build();
        workers.add(w);
        w.start();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> w.readiness().snapshot().ready());
        return w;
    }

    static PoolOptions options(String id) {
        return PoolOptions.defaults(id)
                .withPollInterval(Duration.ofMillis(50))
                .withCheckInterval(Duration.ofMillis(200));
    }

    long submit(String input, int maxAttempts) {
        return store.executionSubmitMany(
                        List.of(SubmitRequest.now("default", WF.hash(), WF.name(), input, maxAttempts)))
                .get(0)
                .executionId();
    }

    ExecutionView get(long id) {
        return store.executionGet(id).orElseThrow();
    }

    List<String> events(long id) {
        return store.historyList(id).stream().map(HistoryEntry::event).toList();
    }

    @Test
    void drainsEveryExecutionExactlyOnceWithinTheConcurrencyLimit() {
        List<SubmitRequest> batch = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            batch.add(SubmitRequest.now("default", WF.hash(), WF.name(), "{\"do\":\"succeed\"}", 1));
        }
        store.executionSubmitMany(batch);
        ScriptedRunner runner = new ScriptedRunner();
        start("w1", runner, options("w1").withConcurrency(8).withBatchSize(50));

        await().atMost(Duration.ofSeconds(60))
                .until(() -> store.executionList(new ExecutionFilter(ExecutionState.SUCCEEDED, null, null, 1000))
                                .size()
                        == 400);

        assertThat(runner.runs).hasSize(400);
        assertThat(runner.runs.values()).allMatch(c -> c.get() == 1);
        assertThat(runner.maxRunning.get()).isLessThanOrEqualTo(8);
        long anyId = runner.runs.keySet().iterator().next();
        assertThat(events(anyId)).containsExactly("claimed", "succeeded");
        assertThat(store.nodeResultList(anyId)).extracting(NodeResult::nodeId).containsExactly("only");
        assertThat(get(anyId).outputJson()).isEqualTo("{\"id\":" + anyId + "}");
    }

    @Test
    void aWorkerOnASchemaANewerBuildMigratedRegistersAndRuns() throws Exception {
        int expected = store.schemaStatus().expectedVersion();
        recordFutureMigration(expected + 1);
        long id = submit("{\"do\":\"succeed\"}", 1);
        PoolOptions older = options("older");
        Worker w = Worker.builder()
                .options(older)
                .store(openStore(), true)
                .runner(new ScriptedRunner())
                .build();
        workers.add(w);
        w.start();

        await().atMost(Duration.ofSeconds(20)).until(() -> get(id).state() == ExecutionState.SUCCEEDED);
        // Registered, so that the newer builds beside it see what it reads and workers list shows it.
        assertThat(store.workerList(Duration.ofMinutes(1)))
                .extracting(io.nebula.worker.queue.WorkerInfo::workerId)
                .contains(older.workerId());
        assertThat(w.readiness().snapshot().ready()).isFalse();
    }

    @Test
    void retryableFailureRetriesWithGrowingDelaysThenFails() {
        long id = submit("{\"do\":\"fail\",\"retryable\":true}", 3);
        start("w1", new ScriptedRunner(), options("w1").withRetries(2, Duration.ofMillis(200), Duration.ofSeconds(5)));

        await().atMost(Duration.ofSeconds(30)).until(() -> get(id).state() == ExecutionState.FAILED);

        ExecutionView v = get(id);
        assertThat(v.attempt()).isEqualTo(3);
        assertThat(v.lastError()).isEqualTo("max retries exceeded after 3 attempts: boom on attempt 3");
        List<HistoryEntry> h = store.historyList(id);
        assertThat(h)
                .extracting(HistoryEntry::event)
                .containsExactly("claimed", "retry_scheduled", "claimed", "retry_scheduled", "claimed", "failed");
        assertThat(h).extracting(HistoryEntry::detail).contains("boom on attempt 1", "boom on attempt 2");
        // Backoff 200 ms then 400 ms, each with at most 25% jitter: the waits are at least that long.
        Duration first = Duration.between(h.get(1).at(), h.get(2).at());
        Duration second = Duration.between(h.get(3).at(), h.get(4).at());
        assertThat(first).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(second).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void permanentFailureFailsAtOnce() {
        long id = submit("{\"do\":\"fail\",\"retryable\":false}", 4);
        start("w1", new ScriptedRunner(), options("w1"));
        await().atMost(Duration.ofSeconds(20)).until(() -> get(id).state() == ExecutionState.FAILED);
        assertThat(get(id).attempt()).isEqualTo(1);
        assertThat(get(id).lastError()).isEqualTo("boom on attempt 1");
        assertThat(events(id)).containsExactly("claimed", "failed");
    }

    @Test
    void gracefulStopReleasesRunningWorkKeepingAttemptAndCheckpoints() {
        long id = submit("{\"do\":\"two-steps\"}", 2);
        ScriptedRunner first = new ScriptedRunner();
        Worker a = start("a", first, options("a"));
        await().atMost(Duration.ofSeconds(20)).until(() -> first.blocked.getCount() == 0);

        a.stop(Duration.ofMillis(200));

        ExecutionView v = get(id);
        assertThat(v.state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(v.attempt()).isZero();
        assertThat(events(id)).containsExactly("claimed", "released");
        assertThat(store.nodeResultList(id)).extracting(NodeResult::nodeId).containsExactly("a");

        ScriptedRunner second = new ScriptedRunner();
        second.release.countDown();
        start("b", second, options("b"));
        await().atMost(Duration.ofSeconds(20)).until(() -> get(id).state() == ExecutionState.SUCCEEDED);
        assertThat(first.nodeRuns.get(id + "/a").get()).isEqualTo(1);
        assertThat(second.nodeRuns).doesNotContainKey(id + "/a");
        assertThat(get(id).attempt()).isEqualTo(1);
        assertThat(events(id)).containsExactly("claimed", "released", "claimed", "succeeded");
    }

    @Test
    void stoppingTurnsReadinessFalseBeforeClaimingStops() {
        ScriptedRunner runner = new ScriptedRunner();
        Worker w = start("w1", runner, options("w1"));
        assertThat(w.readiness().snapshot().ready()).isTrue();
        w.stop(Duration.ZERO);
        assertThat(w.readiness().snapshot().ready()).isFalse();
        assertThat(w.readiness().snapshot().reason()).isEqualTo("shutting down");
        long id = submit("{\"do\":\"succeed\"}", 1);
        assertThat(get(id).state()).isEqualTo(ExecutionState.AVAILABLE);
    }

    @Test
    void cancelReachesTheRunningExecutionAtTheNextHeartbeat() {
        long id = submit("{\"do\":\"block\"}", 1);
        ScriptedRunner runner = new ScriptedRunner();
        Worker w = start("w1", runner, options("w1"));
        await().atMost(Duration.ofSeconds(20)).until(() -> runner.blocked.getCount() == 0);

        store.executionCancel(id, "operator said stop");
        w.heartbeatNow();

        await().atMost(Duration.ofSeconds(20)).until(() -> get(id).state() == ExecutionState.CANCELLED);
        assertThat(events(id)).containsExactly("claimed", "cancel_requested", "cancelled");
    }

    @Test
    void aDurableWaitFreesTheSlotAndResumesAfterTheDelay() {
        long waiting = submit("{\"do\":\"wait\",\"ms\":1500}", 1);
        ScriptedRunner runner = new ScriptedRunner();
        start("w1", runner, options("w1").withConcurrency(1));
        await().atMost(Duration.ofSeconds(20)).until(() -> events(waiting).contains("waiting"));
        long other = submit("{\"do\":\"succeed\"}", 1);

        await().atMost(Duration.ofSeconds(20)).until(() -> get(other).state() == ExecutionState.SUCCEEDED);
        assertThat(get(waiting).state()).isIn(ExecutionState.AVAILABLE, ExecutionState.SUCCEEDED);
        await().atMost(Duration.ofSeconds(20)).until(() -> get(waiting).state() == ExecutionState.SUCCEEDED);
        assertThat(get(waiting).outputJson()).isEqualTo("\"waited\"");
        assertThat(events(waiting)).containsExactly("claimed", "waiting", "claimed", "succeeded");
        assertThat(get(waiting).attempt()).isEqualTo(1);
    }
}
