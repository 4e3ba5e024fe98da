package io.nebula.worker.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.inspect.Explanation.Reason;
import io.nebula.worker.queue.CancelResult;
import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.Completions;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkerInfo;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reason {@code executions explain} can give, each set up for real in a database through
 * the store port (submits, claims, completions, heartbeats, the registry, pauses) and explained
 * from facts read back from it. Subclasses pick the database.
 */
abstract class ExplainContract {
    static final WorkflowDocument WORKFLOW = new WorkflowDocument("hash-explain", "wf", "{\"name\":\"wf\"}");
    static final Duration LIVE = Duration.ofMinutes(1);
    static final Duration LEASE = Duration.ofMinutes(5);

    ExecutionStore store;

    @TempDir
    Path tmp;

    private TestDatabase db;

    /** A fresh database for one test ({@link TestDatabase#postgres()} or a file under {@code dir}). */
    protected abstract TestDatabase newDatabase(Path dir);

    @BeforeEach
    void open() {
        db = newDatabase(tmp);
        store = db.open(StoreOptions.defaults("explain-test"));
        store.migrate();
        store.workflowPut(WORKFLOW);
    }

    @AfterEach
    void close() {
        try {
            store.close();
        } finally {
            db.close();
        }
    }

    private static SubmitRequest request() {
        return SubmitRequest.now("default", WORKFLOW.hash(), WORKFLOW.name(), "{}", 3);
    }

    private long submit(SubmitRequest r) {
        return store.executionSubmitMany(List.of(r)).get(0).executionId();
    }

    private ClaimedExecution claim(String worker, Duration lease) {
        List<ClaimedExecution> c = store.executionClaim(new ClaimRequest(worker, List.of("default"), 1, lease));
        assertThat(c).hasSize(1);
        return c.get(0);
    }

    private void register(String worker, int concurrency, String... queues) {
        store.workerRegister(
                new WorkerInfo(worker, "pool", "host", 1, concurrency, List.of(queues), "0.1.0", null, null, 0));
    }

    private Explanation explain(long id) {
        return explain(id, LIVE);
    }

    private Explanation explain(long id, Duration liveWithin) {
        return Explainer.explain(ExecutionFacts.read(store, id, liveWithin).orElseThrow());
    }

    // ---- finished ---------------------------------------------------------------------------------

    @Test
    void succeededSaysWhenAndAfterHowManyAttempts() {
        long id = submit(request());
        ClaimedExecution c = claim("w1", LEASE);
        store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "{\"ok\":true}", List.of())));

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.SUCCEEDED);
        assertThat(e.summary()).startsWith("Finished: succeeded at ").contains("after 1 attempt");
    }

    @Test
    void failedQuotesTheErrorAndSuggestsARetry() {
        long id = submit(request());
        ClaimedExecution c = claim("w1", LEASE);
        store.executionCompleteMany(
                List.of(Completions.fail(c.lease(), "node 'pay' failed: card declined", false, null, List.of())));

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.FAILED);
        assertThat(e.summary()).contains("failed at").contains("card declined");
        assertThat(e.hint()).contains("executions retry " + id);
    }

    @Test
    void quarantinedAfterWorkerCrashesNamesTheDeaths() {
        long id = submit(request());
        claim("doomed", Duration.ofMillis(1));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> store.executionRescue(1, 100).total() == 1);

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.QUARANTINED);
        assertThat(e.summary()).startsWith("Quarantined after worker crashes").contains("died 1 times");
    }

    @Test
    void cancelledSaysWhyFromTheHistory() {
        long id = submit(request());
        assertThat(store.executionCancel(id, "customer withdrew")).isEqualTo(CancelResult.CANCELLED);

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.CANCELLED);
        assertThat(e.summary()).contains("customer withdrew");
    }

    @Test
    void aCancelOfARunningExecutionKeepsItsReasonAndWhoAskedToTheEnd() {
        long id = submit(request());
        var c = claim("w1", LEASE);
        assertThat(store.executionCancel(id, "customer called", "alice@laptop")).isEqualTo(CancelResult.REQUESTED);
        store.executionCompleteMany(List.of(io.nebula.worker.queue.Completions.cancel(c.lease(), List.of())));

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.CANCELLED);
        assertThat(e.summary()).endsWith("(customer called; requested by alice@laptop).");
    }

    // ---- running ---------------------------------------------------------------------------------

    @Test
    void runningOnALiveWorkerNamesItAndItsHeartbeat() {
        register("w1", 4, "default");
        long id = submit(request());
        claim("w1", LEASE);

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.RUNNING);
        assertThat(e.summary()).contains("Running on worker w1").contains("last heartbeat was");
    }

    @Test
    void aRunningMapNodeShowsItsItemsDoneFailedRunningAndPending() {
        register("w1", 4, "default");
        long id = submit(request());
        ClaimedExecution c = claim("w1", LEASE);
        java.time.Instant t = java.time.Instant.parse("2030-01-01T00:00:00Z");
        List<ExecutionStore.Checkpoint> cps = new java.util.ArrayList<>();
        cps.add(new ExecutionStore.Checkpoint(
                c.lease(),
                new NodeResult("notify[]", NodeStatus.SUCCEEDED, "{\"items\":10,\"max_parallel\":3}", null, 1, t, t)));
        for (int i = 0; i < 5; i++) {
            cps.add(new ExecutionStore.Checkpoint(
                    c.lease(), new NodeResult("notify[" + i + "]", NodeStatus.SUCCEEDED, "" + i, null, 1, t, t)));
        }
        cps.add(new ExecutionStore.Checkpoint(
                c.lease(), new NodeResult("notify[7]", NodeStatus.FAILED, null, "HTTP 503", 1, t, t)));
        assertThat(store.nodeCheckpointMany(cps)).containsOnly(true);

        Explanation e = explain(id);
        List<NodeLine> lines =
                NodeLine.of("{\"nodes\":[{\"id\":\"notify\",\"action\":\"http.request\"}]}", store.nodeResultList(id));

        assertThat(e.notes()).contains("Map node 'notify': 5 of 10 items done, 1 failed, 3 running, 1 pending.");
        assertThat(lines).singleElement().satisfies(l -> {
            assertThat(l.status()).isEqualTo("pending");
            assertThat(l.map()).isEqualTo(new MapProgress("notify", 10, 3, 5, 1));
        });
    }

    @Test
    void aCancelRequestedWhileRunningIsNamedFirst() {
        register("w1", 4, "default");
        long id = submit(request());
        claim("w1", LEASE);
        assertThat(store.executionCancel(id, "stop")).isEqualTo(CancelResult.REQUESTED);

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.CANCEL_REQUESTED);
        assertThat(e.summary()).contains("worker w1 stops it at its next heartbeat");
    }

    @Test
    void aCancelRequestedOfASilentWorkersExecutionSaysTheRescueWillEndIt() {
        register("frozen", 4, "default");
        long id = submit(request());
        claim("frozen", LEASE);
        assertThat(store.executionCancel(id, "stop")).isEqualTo(CancelResult.REQUESTED);
        Duration live = Duration.ofMillis(50);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> explain(id, live).summary().contains("would stop it"));

        Explanation e = explain(id, live);

        assertThat(e.reason()).isEqualTo(Reason.CANCEL_REQUESTED);
        assertThat(e.summary())
                .contains("worker frozen would stop it at its next heartbeat, but its last heartbeat was")
                .contains("its lease expires at")
                .contains("the next rescue ends it as cancelled");
    }

    @Test
    void anExpiredLeaseSaysARescueIsDue() {
        long id = submit(request());
        claim("gone", Duration.ofMillis(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> explain(id).reason() == Reason.LEASE_EXPIRED);

        Explanation e = explain(id);

        assertThat(e.summary())
                .contains("Held by worker gone, whose lease expired")
                .contains("it is not in the worker registry")
                .contains("a rescue is due");
        assertThat(e.notes()).anyMatch(n -> n.contains("No live worker is running"));
    }

    @Test
    void aHolderThatStoppedHeartbeatingIsCalledSilent() {
        register("quiet", 4, "default");
        long id = submit(request());
        claim("quiet", LEASE);
        Duration live = Duration.ofMillis(50);
        await().atMost(Duration.ofSeconds(10)).until(() -> explain(id, live).reason() == Reason.WORKER_SILENT);

        Explanation e = explain(id, live);

        assertThat(e.summary())
                .contains("Running on worker quiet")
                .contains("its last heartbeat was")
                .contains("its lease expires at");
    }

    // ---- not due yet -----------------------------------------------------------------------------

    @Test
    void scheduledForLaterSaysWhen() {
        long id = submit(request().withDelay(Duration.ofHours(1)));

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.SCHEDULED);
        // Within the same millisecond of the database clock the remaining time is exactly 1h.
        assertThat(e.summary())
                .contains("due at")
                .containsPattern("\\(in (59m|1h)")
                .contains("Scheduled for later");
    }

    @Test
    void aRetryBackoffIsToldApartFromASchedule() {
        long id = submit(request());
        ClaimedExecution c = claim("w1", LEASE);
        store.executionCompleteMany(
                List.of(Completions.fail(c.lease(), "HTTP 503", true, Duration.ofMinutes(10), List.of())));

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.RETRY_BACKOFF);
        assertThat(e.summary()).contains("attempt 1 of 3 failed (HTTP 503)").contains("next attempt is due at");
    }

    @Test
    void aDurableDelayIsToldApartFromASchedule() {
        long id = submit(request());
        ClaimedExecution c = claim("w1", LEASE);
        store.executionCompleteMany(
                List.of(Completions.release(c.lease(), "delay node 'wait'", Duration.ofHours(2), List.of())));

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.DURABLE_WAIT);
        assertThat(e.summary()).contains("Waiting for a durable delay until");
    }

    @Test
    void aParentWaitingForItsChildSaysSo() {
        long id = submit(request());
        ClaimedExecution c = claim("w1", LEASE);
        store.executionCompleteMany(List.of(Completions.release(
                c.lease(), "node 'ship': waiting for child execution 37", Duration.ofSeconds(5), List.of())));

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.DURABLE_WAIT);
        assertThat(e.summary())
                .contains("Waiting for a sub-workflow (node 'ship': waiting for child execution 37)")
                .contains("looks at the child again as soon as a child of it ends, at the latest at")
                .doesNotContain("durable delay");
    }

    @Test
    void aScheduledExecutionOnAPausedQueueMentionsBoth() {
        register("w1", 4, "default");
        long id = submit(request().withDelay(Duration.ofHours(1)));
        store.queuePause("default", true);

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.SCHEDULED);
        assertThat(e.notes()).anyMatch(n -> n.contains("When it is due") && n.contains("paused"));
    }

    // ---- due, but held back --------------------------------------------------------------------------

    @Test
    void aPausedQueueIsNamedWithHowToResumeIt() {
        register("w1", 4, "default");
        long id = submit(request());
        store.queuePause("default", true);

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.QUEUE_PAUSED);
        assertThat(e.summary()).isEqualTo("Queue 'default' is paused, so no worker claims from it.");
        assertThat(e.hint()).contains("queues resume default");
    }

    @Test
    void aQueueAtItsLimitSaysHowManyRunAndHowToRaiseIt() {
        register("w1", 4, "default");
        long id = thirdOfAQueueLimitedToTwo();

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.QUEUE_AT_LIMIT);
        assertThat(e.summary())
                .isEqualTo("Queue 'default' is at its limit: 2 of its executions run, and it allows 2 at once"
                        + " across all workers; it runs when one of them ends.");
        assertThat(e.hint()).contains("queues limit default N");

        store.queueLimit("default", 3);
        assertThat(explain(id).reason()).isNotEqualTo(Reason.QUEUE_AT_LIMIT);
    }

    @Test
    void aQueueAtItsLimitIsNamedBehindAnotherQueuesBacklogOfMoreThanTheStatisticsCount() {
        register("w1", 4, "default", "bulk");
        for (int i = 0; i < 11; i++) {
            List<SubmitRequest> bulk = new java.util.ArrayList<>();
            for (int j = 0; j < 1_000; j++) {
                bulk.add(SubmitRequest.now("bulk", WORKFLOW.hash(), WORKFLOW.name(), "{}", 3));
            }
            store.executionSubmitMany(bulk);
        }
        long id = thirdOfAQueueLimitedToTwo();

        assertThat(explain(id).reason()).isEqualTo(Reason.QUEUE_AT_LIMIT);
    }

    /**
     * Three executions of the default queue, limited to two running at once, and two of them
     * claimed by {@code w1}: the third's id.
     */
    private long thirdOfAQueueLimitedToTwo() {
        submit(request());
        submit(request());
        long id = submit(request());
        store.queueLimit("default", 2);
        assertThat(store.executionClaim(new ClaimRequest("w1", List.of("default"), 4, LEASE)))
                .hasSize(2);
        return id;
    }

    @Test
    void noLiveWorkerOnTheQueueNamesTheQueuesLiveWorkersServe() {
        register("mailer", 4, "emails");
        long id = submit(request());

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.NO_LIVE_WORKER);
        assertThat(e.summary())
                .contains("No live worker serves queue 'default'")
                .contains("mailer [emails]");
    }

    @Test
    void noWorkerAtAllSaysNobodyHeartbeated() {
        long id = submit(request());

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.NO_LIVE_WORKER);
        assertThat(e.summary()).contains("no worker has sent a heartbeat in the last 1m");
    }

    @Test
    void everyLiveWorkerAtFullConcurrencyIsNamed() {
        register("busy", 1, "default");
        store.leaseHeartbeat("busy", List.of(), LEASE, 1);
        long id = submit(request());

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.WORKERS_BUSY);
        assertThat(e.summary()).contains("All 1 live worker on queue 'default' are at full concurrency (1 of 1");
    }

    @Test
    void waitingItsTurnCountsTheDueExecutionsAhead() {
        register("w1", 4, "default");
        submit(request());
        submit(request());
        long id = submit(request());
        submit(request().withPriority(5));

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.WAITING_TURN);
        assertThat(e.summary())
                .contains("2 due executions of queue 'default' come before it")
                .contains("4 free slots");
    }

    @Test
    void firstInLineWithFreeSlotsExpectsAClaimAtTheNextPoll() {
        register("w1", 4, "default");
        long id = submit(request());

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.NEXT_IN_LINE);
        assertThat(e.summary()).contains("first in line on queue 'default'").contains("next poll");
    }

    @Test
    void aRescuedExecutionSaysItWasPutBack() {
        register("w1", 4, "default");
        long id = submit(request());
        claim("crashed", Duration.ofMillis(1));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> store.executionRescue(3, 100).total() == 1);

        Explanation e = explain(id);

        assertThat(e.reason()).isEqualTo(Reason.NEXT_IN_LINE);
        assertThat(e.notes())
                .anyMatch(n -> n.contains("put back in the queue") && n.contains("crashed"))
                .anyMatch(n -> n.contains("Workers died 1 time(s)"));
    }
}
