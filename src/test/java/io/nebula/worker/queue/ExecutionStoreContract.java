package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.pool.BulkRetry;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ExecutionStore} must have, the hot-path half ({@link
 * LeaseStoreContract}) included. Each store runs this whole suite against a real database
 * (PostgreSQL, SQLite file); a new behaviour is added here first, or to the hot-path half when it
 * is one of a {@link LeaseStore}.
 */
public abstract class ExecutionStoreContract extends LeaseStoreContract {

    protected ExecutionStore store;

    /** A fresh store on an empty database, migrated. */
    protected abstract ExecutionStore newStore();

    /** A second store handle on the same database as {@link #store} (another "process"). */
    protected abstract ExecutionStore sameDatabase();

    /** A JDBC connection to the same database, for submitting inside a caller's transaction. */
    protected abstract Connection rawConnection() throws Exception;

    /** Cleans up the database after a test. */
    protected abstract void dropDatabase();

    @BeforeEach
    void open() {
        store = newStore();
        store.workflowPut(WORKFLOW);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
        dropDatabase();
    }

    @Override
    protected LeaseStore leases() {
        return store;
    }

    @Override
    protected long submit(SubmitRequest r) {
        return store.executionSubmitMany(List.of(r)).get(0).executionId();
    }

    @Override
    protected ExecutionView get(long id) {
        return store.executionGet(id).orElseThrow();
    }

    @Override
    protected List<HistoryEntry> history(long id) {
        return store.historyList(id);
    }

    @Override
    protected List<NodeResult> nodes(long id) {
        return store.nodeResultList(id);
    }

    @Override
    protected boolean requestCancel(long id, String reason, String by) {
        return store.executionCancel(id, reason, by) == CancelResult.REQUESTED;
    }

    @Override
    protected Instant now() {
        return store.databaseNow();
    }

    /** Waits (polling the database clock) until {@code d} has passed by the database clock. */
    @Override
    protected void passTime(Duration d) {
        Instant target = store.databaseNow().plus(d);
        await().atMost(Duration.ofSeconds(10)).until(() -> !store.databaseNow().isBefore(target));
    }

    /** Claims with a lease short enough to expire at once, then waits until the rescuer takes it. */
    protected ClaimedExecution claimAndLetExpire(long id) {
        List<ClaimedExecution> c = claim(store, "doomed", 1, Duration.ofMillis(1));
        assertThat(c).extracting(ClaimedExecution::id).containsExactly(id);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> store.executionRescue(3, 100).total() == 1);
        return c.get(0);
    }

    // ---- schema --------------------------------------------------------------------------------

    @Test
    void migrationsAreIdempotentAndReportUpToDate() {
        assertThat(store.migrate()).as("nothing left to apply").isZero();
        store.migrate();
        assertThat(store.schemaStatus().upToDate()).isTrue();
        assertThat(store.schemaStatus().currentVersion()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aStoreHasOneInstallationIdThatEveryProcessSees() {
        Installation first = store.installation();
        assertThat(first.id()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        store.migrate();
        assertThat(store.installation()).isEqualTo(first);
        try (ExecutionStore other = sameDatabase()) {
            assertThat(other.installation()).isEqualTo(first);
        }
    }

    @Test
    void everyExecutionSubmittedAfterTheMigrationHasTheInstallationIdAsItsKeyScope() {
        Installation installation = store.installation();
        long a = submit(request());
        long b = submit(request());
        assertThat(installation.keyScope(a)).isEqualTo(installation.id());
        assertThat(installation.keyScope(b)).isEqualTo(installation.id());
    }

    @Test
    void concurrentMigrationsFromSeveralProcessesAllSucceed() throws Exception {
        List<ExecutionStore> others = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            others.add(sameDatabase());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Object>> fs = new ArrayList<>();
            for (ExecutionStore o : others) {
                fs.add(pool.submit((Callable<Object>) () -> {
                    o.migrate();
                    return null;
                }));
            }
            for (Future<Object> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            others.forEach(ExecutionStore::close);
        }
        assertThat(store.schemaStatus().upToDate()).isTrue();
    }

    // ---- submit and claim ------------------------------------------------------------------------

    @Test
    void idempotencyKeyReturnsTheExistingExecution() {
        Submitted a = store.executionSubmitMany(List.of(request().withIdempotencyKey("order-42")))
                .get(0);
        Submitted b = store.executionSubmitMany(List.of(request().withIdempotencyKey("order-42")))
                .get(0);
        List<Submitted> batch = store.executionSubmitMany(List.of(
                request().withIdempotencyKey("k2"),
                request(),
                request().withIdempotencyKey("k2"),
                request().withIdempotencyKey("order-42")));

        assertThat(a.created()).isTrue();
        assertThat(b).isEqualTo(new Submitted(a.executionId(), false));
        assertThat(batch.get(0).created()).isTrue();
        assertThat(batch.get(1).created()).isTrue();
        assertThat(batch.get(2)).isEqualTo(new Submitted(batch.get(0).executionId(), false));
        assertThat(batch.get(3)).isEqualTo(new Submitted(a.executionId(), false));
        assertThat(claim(10)).hasSize(3);
    }

    @Test
    void submitManyKeepsRequestOrderAndStoresEveryField() {
        List<SubmitRequest> rs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            rs.add(SubmitRequest.now("default", WORKFLOW.hash(), WORKFLOW.name(), "{\"i\":" + i + "}", 2));
        }
        List<Submitted> out = store.executionSubmitMany(rs);
        assertThat(out).hasSize(50);
        for (int i = 0; i < 50; i++) {
            ExecutionView v = get(out.get(i).executionId());
            assertThat(v.inputJson()).isEqualToIgnoringWhitespace("{\"i\":" + i + "}");
            assertThat(v.maxAttempts()).isEqualTo(2);
            assertThat(v.workflowHash()).isEqualTo(WORKFLOW.hash());
            assertThat(v.state()).isEqualTo(ExecutionState.AVAILABLE);
            assertThat(v.attempt()).isZero();
        }
    }

    @Test
    void submitInsideCallersTransactionCommitsOrRollsBackWithIt() throws Exception {
        long committed;
        try (Connection c = rawConnection()) {
            c.setAutoCommit(false);
            committed = store.executionSubmitInTransaction(SubmitTransaction.on(c), List.of(), List.of(request()))
                    .get(0)
                    .executionId();
            c.commit();
        }
        try (Connection c = rawConnection()) {
            c.setAutoCommit(false);
            store.executionSubmitInTransaction(
                    SubmitTransaction.on(c), List.of(), List.of(request().withIdempotencyKey("never")));
            c.rollback();
        }
        assertThat(store.executionGet(committed)).isPresent();
        assertThat(claim(10)).extracting(ClaimedExecution::id).containsExactly(committed);
    }

    @Test
    void badInputIsRejectedAndNothingIsWritten() {
        SubmitRequest ok = request();
        SubmitRequest nul = SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{\"a\":\"x\\u0000y\"}", 1);
        SubmitRequest broken = SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{\"a\":", 1);
        SubmitRequest surrogate = SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{\"a\":\"\uD800\"}", 1);
        SubmitRequest big =
                SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{\"a\":\"" + "x".repeat(1_100_000) + "\"}", 1);

        assertThatThrownBy(() -> store.executionSubmitMany(List.of(ok, nul)))
                .isInstanceOf(SubmitRejectedException.class)
                .hasMessageContaining("submit #2")
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> store.executionSubmitMany(List.of(broken)))
                .isInstanceOf(SubmitRejectedException.class)
                .hasMessageContaining("not valid JSON")
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> store.executionSubmitMany(List.of(surrogate)))
                .isInstanceOf(SubmitRejectedException.class)
                .hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> store.executionSubmitMany(List.of(big)))
                .isInstanceOf(SubmitRejectedException.class)
                .hasMessageContaining("over the limit of 1048576 bytes");
        assertThat(store.executionList(ExecutionFilter.all(10))).isEmpty();
    }

    @Test
    void anInputOfMoreJsonValuesThanAnExecutionMayHoldIsRefusedParsedOrNot() {
        // 200 KB of text, under the byte limit, but the object, the list and 99,999 numbers: 100,001.
        String many = "{\"a\":[" + "0,".repeat(99_998) + "0]}";
        SubmitRequest raw = SubmitRequest.now("default", WORKFLOW.hash(), "wf", many, 1);
        SubmitRequest parsed = new SubmitRequest(
                "default",
                WORKFLOW.hash(),
                "wf",
                many,
                0,
                null,
                null,
                1,
                null,
                null,
                InputGuard.parse(many, Long.MAX_VALUE, "input"));

        for (SubmitRequest r : List.of(raw, parsed)) {
            assertThatThrownBy(() -> store.executionSubmitMany(List.of(request(), r)))
                    .isInstanceOf(SubmitRejectedException.class)
                    .hasMessage("submit #2: input holds more than 100000 JSON values (limits.execution_values)");
        }
        assertThat(store.executionList(ExecutionFilter.all(10))).isEmpty();
        // One value fewer is accepted, parsed or not: the list and 99,999 numbers.
        String limit = "[" + "0,".repeat(99_998) + "0]";
        submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", limit, 1));
        submit(new SubmitRequest(
                "default",
                WORKFLOW.hash(),
                "wf",
                limit,
                0,
                null,
                null,
                1,
                null,
                null,
                InputGuard.parse(limit, Long.MAX_VALUE, "input")));
    }

    @Test
    void aQueueNameThatCouldNotBeConfiguredIsRefusedAtSubmit() {
        for (String queue : List.of("", "has space", "-leading", "x".repeat(65), "new\nline", "quo\"te")) {
            SubmitRequest r = SubmitRequest.now(queue, WORKFLOW.hash(), WORKFLOW.name(), "{}", 1);
            assertThatThrownBy(() -> store.executionSubmitMany(List.of(r)))
                    .as(queue)
                    .isInstanceOf(SubmitRejectedException.class)
                    .hasMessageContaining("is not valid (letters, digits, _ . : -");
        }
        assertThat(store.executionList(ExecutionFilter.all(10))).isEmpty();
        submit(SubmitRequest.now("team-a.mail:high_1", WORKFLOW.hash(), WORKFLOW.name(), "{}", 1));
    }

    @Test
    void submitOfAnUnknownWorkflowFails() {
        SubmitRequest r = SubmitRequest.now("default", "no-such-hash", "wf", "{}", 1);
        assertThatThrownBy(() -> store.executionSubmitMany(List.of(r))).isInstanceOf(StoreException.class);
        assertThat(store.executionList(ExecutionFilter.all(10))).isEmpty();
    }

    @Test
    void workflowsAreStoredByHashOnce() {
        store.workflowPut(WORKFLOW);
        store.workflowPut(new WorkflowDocument("hash-2", "other", "{\"name\":\"other\"}"));
        assertThat(store.workflowGet("hash-1")).contains(WORKFLOW);
        assertThat(store.workflowGet("hash-2").orElseThrow().name()).isEqualTo("other");
        assertThat(store.workflowGet("nope")).isEmpty();
    }

    @Test
    void deployedVersionsAreFoundByNameTheLatestDeploymentFirst() {
        WorkflowDocument v1 = new WorkflowDocument("aaa111", "order", "{\"v\":1}");
        WorkflowDocument v2 = new WorkflowDocument("aab222", "order", "{\"v\":2}");
        WorkflowDocument fromFile = new WorkflowDocument("ccc333", "order", "{\"v\":3}");
        assertThat(store.workflowLatest("order")).isEmpty();

        ExecutionStore.WorkflowDeployed first = store.workflowDeploy(v1);
        ExecutionStore.WorkflowDeployed second = store.workflowDeploy(v2);
        store.workflowPut(fromFile);

        assertThat(first.stored()).isTrue();
        assertThat(first.previousHash()).isNull();
        assertThat(second.previousHash()).isEqualTo("aaa111");
        assertThat(second.version().deployedAt()).isAfter(first.version().deployedAt());
        // A version submitted from a file is stored but is not what a submit by name runs.
        assertThat(store.workflowLatest("order")).contains(v2);
        assertThat(store.workflowVersions("order"))
                .extracting(WorkflowVersion::hash, WorkflowVersion::deployed)
                .containsExactly(
                        org.assertj.core.api.Assertions.tuple("aab222", true),
                        org.assertj.core.api.Assertions.tuple("aaa111", true),
                        org.assertj.core.api.Assertions.tuple("ccc333", false));

        // Deploying an earlier version again makes it the latest (a rollback), without storing it twice.
        ExecutionStore.WorkflowDeployed rollback = store.workflowDeploy(v1);
        assertThat(rollback.stored()).isFalse();
        assertThat(rollback.previousHash()).isEqualTo("aab222");
        assertThat(store.workflowLatest("order")).contains(v1);

        assertThat(store.workflowFind("order", "aab")).containsExactly(v2);
        assertThat(store.workflowFind("order", "aa")).hasSize(2);
        assertThat(store.workflowFind("order", "zz")).isEmpty();
        assertThat(store.workflowFind("other", "aab")).isEmpty();
        assertThat(store.workflowNames())
                .extracting(WorkflowVersion::name, WorkflowVersion::hash, WorkflowVersion::versions)
                .containsExactly(
                        org.assertj.core.api.Assertions.tuple("order", "aaa111", 3),
                        org.assertj.core.api.Assertions.tuple("wf", "hash-1", 1));
    }

    // ---- heartbeat, checkpoints, completion --------------------------------------------------------

    // ---- fencing -----------------------------------------------------------------------------------

    @Test
    void aStaleHolderCanWriteNothingAfterARescue() {
        long id = submit(request());
        ClaimedExecution stale = claimAndLetExpire(id);
        ClaimedExecution fresh = claim(1).get(0);
        assertThat(fresh.leaseEpoch()).isGreaterThan(stale.leaseEpoch());
        NodeResult r = new NodeResult("n", NodeStatus.SUCCEEDED, "1", null, 1, Instant.now(), Instant.now());

        assertThat(store.leaseHeartbeat("doomed", List.of(stale.lease()), LEASE, 1)
                        .extended())
                .isEmpty();
        assertThat(store.nodeCheckpointMany(List.of(new ExecutionStore.Checkpoint(stale.lease(), r))))
                .containsExactly(false);
        assertThat(store.executionCompleteMany(List.of(
                        Completions.succeed(stale.lease(), "\"stale\"", List.of(r)),
                        Completions.fail(stale.lease(), "stale", false, null, List.of()),
                        Completions.release(stale.lease(), "stale", null, List.of()),
                        Completions.cancel(stale.lease(), List.of()))))
                .allMatch(x -> !x.applied());

        ExecutionView v = get(id);
        assertThat(v.state()).isEqualTo(ExecutionState.RUNNING);
        assertThat(v.leaseEpoch()).isEqualTo(fresh.leaseEpoch());
        assertThat(store.nodeResultList(id)).isEmpty();
        assertThat(store.executionCompleteMany(List.of(Completions.succeed(fresh.lease(), "\"fresh\"", List.of()))))
                .allMatch(CompletionResult::applied);
        assertThat(get(id).outputJson()).isEqualTo("\"fresh\"");
        assertThat(events(id)).containsExactly("claimed", "rescued", "claimed", "succeeded");
    }

    // ---- rescue -------------------------------------------------------------------------------------

    @Test
    void rescueRequeuesFailsAndQuarantines() {
        long requeue = submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 5));
        claimAndLetExpire(requeue);
        ExecutionView v = get(requeue);
        assertThat(v.state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(v.deaths()).isEqualTo(1);
        assertThat(store.historyList(requeue).get(1).detail()).contains("held by doomed");

        claimAndLetExpire(requeue);
        claimAndLetExpire(requeue);
        v = get(requeue);
        assertThat(v.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(v.deaths()).isEqualTo(3);
        assertThat(v.lastError()).startsWith("quarantined as poison: its worker died 3 times");
        assertThat(events(requeue)).endsWith("quarantined");

        long exhausted = submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 1));
        claimAndLetExpire(exhausted);
        assertThat(get(exhausted).state()).isEqualTo(ExecutionState.FAILED);
        assertThat(get(exhausted).lastError()).contains("max retries exceeded after 1 attempt: lease expired");
    }

    @Test
    void aRescuedExecutionKeepsItsPlaceInTheQueue() {
        long first = submit(request());
        List<ClaimedExecution> doomed = claim(store, "doomed", 1, Duration.ofMillis(1));
        assertThat(doomed).extracting(ClaimedExecution::id).containsExactly(first);
        long second = submit(request());
        submit(request());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> store.executionRescue(3, 100).total() == 1);

        // Started work is finished first: behind a backlog, an orphan would wait for all of it.
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(first);
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(second);
    }

    @Test
    void rescueLeavesLiveLeasesAlone() {
        submit(request());
        claim(1);
        assertThat(store.executionRescue(3, 100).total()).isZero();
    }

    // ---- cancel and retry ----------------------------------------------------------------------------

    @Test
    void cancelOfAQueuedExecutionIsImmediate() {
        long id = submit(request());
        assertThat(store.executionCancel(id, "not needed")).isEqualTo(CancelResult.CANCELLED);
        assertThat(get(id).state()).isEqualTo(ExecutionState.CANCELLED);
        assertThat(claim(1)).isEmpty();
        assertThat(store.executionCancel(id, "again")).isEqualTo(CancelResult.ALREADY_FINISHED);
        assertThat(store.executionCancel(999_999, "x")).isEqualTo(CancelResult.NOT_FOUND);
    }

    @Test
    void aQueuedCancelAndARetryAreCreditedToTheOperatorNotTheLastWorker() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        store.executionCompleteMany(List.of(Completions.fail(c.lease(), "boom", false, null, List.of())));
        assertThat(store.executionRetry(id, false, "alice@laptop")).isEqualTo(RetryResult.REQUEUED);
        assertThat(store.executionCancel(id, "not needed", "bob@desk")).isEqualTo(CancelResult.CANCELLED);

        assertThat(store.historyList(id))
                .extracting(HistoryEntry::event, HistoryEntry::workerId)
                .containsExactly(
                        org.assertj.core.api.Assertions.tuple("claimed", WORKER),
                        org.assertj.core.api.Assertions.tuple("failed", WORKER),
                        org.assertj.core.api.Assertions.tuple("retried", "alice@laptop"),
                        org.assertj.core.api.Assertions.tuple("cancelled", "bob@desk"));
        assertThat(store.historyList(id).get(3).detail()).isEqualTo("not needed");
    }

    @Test
    void aRescueOfACancelRequestedExecutionKeepsTheReason() {
        long id = submit(request());
        claimAndLetExpireAfterCancel(id);

        assertThat(get(id).state()).isEqualTo(ExecutionState.CANCELLED);
        assertThat(store.historyList(id).get(store.historyList(id).size() - 1).detail())
                .startsWith("customer called; lease expired at ")
                // In UTC as every other time shown, whatever the session's time zone.
                .matches(
                        "customer called; lease expired at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z held by .+");
    }

    private ClaimedExecution claimAndLetExpireAfterCancel(long id) {
        return claimAndLetExpireAfterCancel(id, "customer called");
    }

    private ClaimedExecution claimAndLetExpireAfterCancel(long id, String reason) {
        List<ClaimedExecution> c = claim(store, "doomed", 1, Duration.ofMillis(300));
        assertThat(c).extracting(ClaimedExecution::id).containsExactly(id);
        assertThat(store.executionCancel(id, reason, "alice@laptop")).isEqualTo(CancelResult.REQUESTED);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> store.executionRescue(3, 100).total() == 1);
        return c.get(0);
    }

    @Test
    void theHoldersOutcomeAfterTheRescueCancelledTheExecutionIsReportedLost() {
        // The rescue's cancel is not the holder's: a late success, failure, release or cancel of
        // the lost attempt must not read it as its own earlier try.
        for (String reason : java.util.Arrays.asList("customer called", null)) {
            long id = submit(request());
            ClaimedExecution lost = claimAndLetExpireAfterCancel(id, reason);
            assertThat(store.historyList(id).getLast().detail())
                    .startsWith(reason == null ? "lease expired at " : reason + "; lease expired at ");

            assertThat(store.executionCompleteMany(List.of(
                            Completions.succeed(lost.lease(), "{}", List.of()),
                            Completions.fail(lost.lease(), "late", true, Duration.ZERO, List.of()),
                            Completions.release(lost.lease(), "late", Duration.ZERO, List.of()),
                            Completions.cancel(lost.lease(), List.of()))))
                    .as("reason %s", reason)
                    .noneMatch(CompletionResult::applied);
            assertThat(get(id).state()).isEqualTo(ExecutionState.CANCELLED);
        }
    }

    @Test
    void checkpointsOfAFirstAttemptAreResumedListedOnceAndForgottenOnlyFromScratch() {
        long id = submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 3));
        ClaimedExecution c1 = claim(1).get(0);
        Instant t = Instant.now();
        List<LeaseStore.Checkpoint> level = new ArrayList<>();
        for (String n : List.of("a", "b", "c")) {
            level.add(new LeaseStore.Checkpoint(
                    c1.lease(), new NodeResult(n, NodeStatus.SUCCEEDED, "\"" + n + "\"", null, 1, t, t)));
        }
        NodeResult start = new NodeResult("start", NodeStatus.SUCCEEDED, "{\"n\":1}", null, 1, t, t);
        assertThat(store.nodeCheckpointMany(List.of(new LeaseStore.Checkpoint(c1.lease(), start))))
                .containsExactly(true);
        assertThat(store.nodeCheckpointMany(level)).containsExactly(true, true, true);
        // Sent again, as after a commit whose answer was lost: nothing is listed twice.
        assertThat(store.nodeCheckpointMany(level)).containsExactly(true, true, true);
        NodeResult failed = new NodeResult("d", NodeStatus.FAILED, null, "boom", 1, t, t);
        store.executionCompleteMany(
                List.of(Completions.fail(c1.lease(), "boom", true, Duration.ZERO, List.of(failed))));

        assertThat(store.nodeResultList(id))
                .extracting(NodeResult::nodeId, NodeResult::status)
                .containsExactlyInAnyOrder(
                        tuple("start", NodeStatus.SUCCEEDED),
                        tuple("a", NodeStatus.SUCCEEDED),
                        tuple("b", NodeStatus.SUCCEEDED),
                        tuple("c", NodeStatus.SUCCEEDED),
                        tuple("d", NodeStatus.FAILED));
        ClaimedExecution c2 = claim(1).get(0);
        assertThat(c2.resumable()).isTrue();
        Map<String, NodeResult> resumed = new HashMap<>();
        store.nodeResultsLoad(List.of(id)).get(id).forEach(n -> resumed.put(n.nodeId(), n));
        assertThat(resumed).containsOnlyKeys("start", "a", "b", "c", "d");
        assertThat(resumed.get("start").outputJson()).isEqualToIgnoringWhitespace("{\"n\":1}");
        assertThat(resumed.get("b").outputJson()).isEqualTo("\"b\"");
        assertThat(resumed.get("d").status()).isEqualTo(NodeStatus.FAILED);

        // The resumed attempt's checkpoint replaces the failed one; then the attempt fails for good.
        NodeResult d = new NodeResult("d", NodeStatus.SUCCEEDED, "4", null, 2, t, t);
        assertThat(store.nodeCheckpointMany(List.of(new LeaseStore.Checkpoint(c2.lease(), d))))
                .containsExactly(true);
        assertThat(store.nodeResultsLoad(List.of(id)).get(id))
                .extracting(NodeResult::status)
                .containsOnly(NodeStatus.SUCCEEDED)
                .hasSize(5);
        store.executionCompleteMany(List.of(Completions.fail(c2.lease(), "later", false, null, List.of())));

        assertThat(store.executionRetry(id, false)).isEqualTo(RetryResult.REQUEUED);
        assertThat(store.nodeResultList(id))
                .extracting(NodeResult::nodeId)
                .containsExactlyInAnyOrder("start", "a", "b", "c", "d");
        ClaimedExecution c3 = claim(1).get(0);
        store.executionCompleteMany(List.of(Completions.fail(c3.lease(), "again", false, null, List.of())));
        assertThat(store.executionRetry(id, true)).isEqualTo(RetryResult.REQUEUED);
        assertThat(store.nodeResultList(id)).isEmpty();
        assertThat(store.nodeResultsLoad(List.of(id)).getOrDefault(id, List.of()))
                .isEmpty();
    }

    @Test
    void retryOfAFailedExecutionKeepsSucceededNodesUnlessFromScratch() {
        long id = submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 1));
        ClaimedExecution c = claim(1).get(0);
        NodeResult ok = new NodeResult("ok", NodeStatus.SUCCEEDED, "1", null, 1, Instant.now(), Instant.now());
        NodeResult bad = new NodeResult("bad", NodeStatus.FAILED, null, "boom", 1, Instant.now(), Instant.now());
        store.executionCompleteMany(List.of(Completions.fail(c.lease(), "boom", false, null, List.of(ok, bad))));

        assertThat(store.executionRetry(id, false)).isEqualTo(RetryResult.REQUEUED);
        assertThat(store.nodeResultList(id)).extracting(NodeResult::nodeId).containsExactly("ok");
        ExecutionView v = get(id);
        assertThat(v.state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(v.attempt()).isZero();
        assertThat(v.startedAt())
                .as("the retry starts it again at its next claim")
                .isNull();
        assertThat(v.finishedAt()).isNull();
        assertThat(store.executionRetry(id, false)).isEqualTo(RetryResult.NOT_RETRYABLE);

        ClaimedExecution c2 = claim(1).get(0);
        assertThat(get(id).startedAt()).isNotNull();
        store.executionCompleteMany(List.of(Completions.fail(c2.lease(), "boom", false, null, List.of())));
        assertThat(store.executionRetry(id, true)).isEqualTo(RetryResult.REQUEUED);
        assertThat(store.nodeResultList(id)).isEmpty();
        assertThat(store.executionRetry(424_242, true)).isEqualTo(RetryResult.NOT_FOUND);
        assertThat(events(id)).contains("retried");
    }

    @Test
    void aBulkRetryRequeuesTheNewestMatchesUpToItsLimitAcrossPages() {
        int n = 505; // more than one page of the list
        List<SubmitRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 1));
        }
        store.executionSubmitMany(requests);
        List<ClaimedExecution> claimed = new ArrayList<>();
        while (claimed.size() < n) {
            claimed.addAll(claim(n - claimed.size()));
        }
        store.executionCompleteMany(claimed.stream()
                .map(c -> Completions.fail(c.lease(), "boom", false, null, List.of()))
                .toList());
        long cancelled = submit(request());
        assertThat(store.executionCancel(cancelled, "not needed", "test")).isEqualTo(CancelResult.CANCELLED);
        List<Long> newestFirst = claimed.stream()
                .map(ClaimedExecution::id)
                .sorted(java.util.Comparator.reverseOrder())
                .toList();
        ExecutionQuery failed = ExecutionQuery.newest(1).withState(ExecutionState.FAILED);

        BulkRetry.Result dry = BulkRetry.retry(store, failed, BulkRetry.MAX, false, "ops", true);
        assertThat(dry).isEqualTo(new BulkRetry.Result(n, 0, 0, false));
        assertThat(get(newestFirst.get(0)).state()).isEqualTo(ExecutionState.FAILED);
        assertThat(BulkRetry.retry(store, failed.withWorkflow("other", null), 10, false, "ops", false))
                .isEqualTo(new BulkRetry.Result(0, 0, 0, false));

        BulkRetry.Result first = BulkRetry.retry(store, failed, n - 3, false, "ops", false);
        assertThat(first).isEqualTo(new BulkRetry.Result(n - 3, n - 3, 0, true));
        for (int i = 0; i < n; i++) {
            assertThat(get(newestFirst.get(i)).state())
                    .as("the %d-th newest", i)
                    .isEqualTo(i < n - 3 ? ExecutionState.AVAILABLE : ExecutionState.FAILED);
        }
        assertThat(events(newestFirst.get(0))).contains("retried");
        assertThat(get(cancelled).state()).isEqualTo(ExecutionState.CANCELLED);

        assertThat(BulkRetry.retry(store, failed, BulkRetry.MAX, true, "ops", false))
                .isEqualTo(new BulkRetry.Result(3, 3, 0, false));
        assertThat(BulkRetry.retry(store, failed, BulkRetry.MAX, false, "ops", false))
                .isEqualTo(new BulkRetry.Result(0, 0, 0, false));
        assertThat(BulkRetry.retry(
                        store, ExecutionQuery.newest(1).withState(ExecutionState.CANCELLED), 5, false, "ops", false))
                .isEqualTo(new BulkRetry.Result(1, 1, 0, false));
        assertThat(get(cancelled).state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThatThrownBy(() -> BulkRetry.retry(
                        store, ExecutionQuery.newest(1).withState(ExecutionState.RUNNING), 5, false, "ops", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only failed or cancelled");
        assertThatThrownBy(() -> BulkRetry.retry(store, failed, BulkRetry.MAX + 1, false, "ops", false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBulkRetryLeavesAChildWhoseParentFailedToTheParentsRetry() {
        long parent = submit(request());
        long child = submit(request().withIdempotencyKey(ChildKeys.key(parent, "down")));
        long alone = submit(request().withIdempotencyKey(ChildKeys.key(424_242, "down")));
        List<ClaimedExecution> claimed = new ArrayList<>();
        while (claimed.size() < 3) {
            claimed.addAll(claim(3 - claimed.size()));
        }
        store.executionCompleteMany(claimed.stream()
                .map(c -> Completions.fail(c.lease(), "boom", false, null, List.of()))
                .toList());

        ExecutionQuery failed = ExecutionQuery.newest(1).withState(ExecutionState.FAILED);
        assertThat(BulkRetry.retry(store, failed, 10, false, "ops", true))
                .isEqualTo(new BulkRetry.Result(3, 0, 1, false));
        assertThat(BulkRetry.retry(store, failed, 10, false, "ops", false))
                .isEqualTo(new BulkRetry.Result(3, 2, 1, false));

        assertThat(get(parent).state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(get(child).state()).as("left to its parent's retry").isEqualTo(ExecutionState.FAILED);
        assertThat(get(alone).state()).as("its parent is not here").isEqualTo(ExecutionState.AVAILABLE);
    }

    // ---- queues, stats, pruning ------------------------------------------------------------------------

    @Test
    void pausedQueuesAreNotClaimed() {
        submit(request());
        store.queuePause("default", true);
        assertThat(store.queuePausedList()).containsExactly("default");
        assertThat(claim(1)).isEmpty();
        store.queuePause("default", false);
        assertThat(store.queuePausedList()).isEmpty();
        assertThat(claim(1)).hasSize(1);
    }

    @Test
    void aLimitedQueueRunsAtMostItsLimitWhoeverClaims() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(submit(request()));
        }
        store.queueLimit("default", 2);
        assertThat(store.queueList()).contains(new KnownQueue("default", false, 2));

        List<ClaimedExecution> first = claim(10);
        assertThat(first).extracting(ClaimedExecution::id).containsExactly(ids.get(0), ids.get(1));
        assertThat(claim(leases(), "another-worker", 10, LEASE))
                .as("the queue is at its limit for every worker")
                .isEmpty();

        store.executionCompleteMany(List.of(Completions.succeed(first.get(0).lease(), "1", List.of())));
        assertThat(claim(leases(), "another-worker", 10, LEASE))
                .extracting(ClaimedExecution::id)
                .containsExactly(ids.get(2));

        // An attempt that ends in a durable wait no longer runs, so it leaves room.
        leases().executionCompleteMany(
                        List.of(Completions.release(first.get(1).lease(), "waiting", Duration.ofHours(1), List.of())));
        assertThat(claim(10)).extracting(ClaimedExecution::id).containsExactly(ids.get(3));
        assertThat(claim(10)).isEmpty();

        store.queueLimit("default", null);
        assertThat(store.queueList()).contains(new KnownQueue("default", false, null));
        assertThat(claim(10)).extracting(ClaimedExecution::id).containsExactly(ids.get(4));
    }

    @Test
    void aClaimOfSeveralQueuesTakesALimitedQueuesRoomAndFillsTheRestFromTheOthers() {
        for (int i = 0; i < 3; i++) {
            submit(request());
        }
        store.executionSubmitMany(List.of(
                SubmitRequest.now("emails", WORKFLOW.hash(), "wf", "{}", 1),
                SubmitRequest.now("emails", WORKFLOW.hash(), "wf", "{}", 1)));
        store.queueLimit("default", 1);

        List<ClaimedExecution> c =
                leases().executionClaim(new ClaimRequest(WORKER, List.of("default", "emails"), 10, LEASE));
        assertThat(c).extracting(ClaimedExecution::queue).containsExactlyInAnyOrder("default", "emails", "emails");

        // The batch size still bounds the whole claim.
        store.queueLimit("default", 5);
        assertThat(leases().executionClaim(new ClaimRequest(WORKER, List.of("default", "emails"), 1, LEASE)))
                .extracting(ClaimedExecution::queue)
                .containsExactly("default");
    }

    @Test
    void aLimitChangesHowManyOfAQueueRunNotWhichQueueIsServedFirst() {
        long bulk = store.executionSubmitMany(List.of(SubmitRequest.now("bulk", WORKFLOW.hash(), "wf", "{}", 1)))
                .get(0)
                .executionId();
        store.executionSubmitMany(List.of(
                SubmitRequest.now("api", WORKFLOW.hash(), "wf", "{}", 1),
                SubmitRequest.now("api", WORKFLOW.hash(), "wf", "{}", 1),
                SubmitRequest.now("api", WORKFLOW.hash(), "wf", "{}", 1)));
        long urgent = store.executionSubmitMany(List.of(
                        SubmitRequest.now("api", WORKFLOW.hash(), "wf", "{}", 1).withPriority(-1)))
                .get(0)
                .executionId();
        store.queueLimit("api", 100);

        assertThat(leases().executionClaim(new ClaimRequest(WORKER, List.of("api", "bulk"), 1, LEASE)))
                .as("the first in claim order of the queues served")
                .extracting(ClaimedExecution::id)
                .containsExactly(urgent);
        assertThat(leases().executionClaim(new ClaimRequest(WORKER, List.of("api", "bulk"), 1, LEASE)))
                .as("then the oldest due, whatever its queue")
                .extracting(ClaimedExecution::id)
                .containsExactly(bulk);

        store.queueLimit("api", 2);
        assertThat(leases().executionClaim(new ClaimRequest(WORKER, List.of("api", "bulk"), 10, LEASE)))
                .as("one more of api fits its limit of two")
                .extracting(ClaimedExecution::queue)
                .containsExactly("api");
    }

    @Test
    void aLowerLimitStopsNothingRunningAndAPausedLimitedQueueGivesNothing() {
        for (int i = 0; i < 4; i++) {
            submit(request());
        }
        assertThat(claim(3)).hasSize(3);
        store.queueLimit("default", 2);
        assertThat(claim(10)).as("three run, over the new limit of two").isEmpty();
        assertThat(store.queueStats(1000).get(0).count(ExecutionState.RUNNING)).isEqualTo(3);

        store.queueLimit("default", 10);
        store.queuePause("default", true);
        assertThat(claim(10)).isEmpty();
        store.queuePause("default", false);
        assertThat(claim(10)).hasSize(1);
    }

    @Test
    void aLimitBelowOneOrOnABadQueueNameIsRefusedAndChangesNothing() {
        submit(request());
        assertThatThrownBy(() -> store.queueLimit("default", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1, not 0");
        assertThatThrownBy(() -> store.queueLimit("bad queue!", 3))
                .isInstanceOf(SubmitRejectedException.class)
                .hasMessageContaining("queue name 'bad queue!' is not valid");
        assertThat(store.queueList()).allSatisfy(q -> assertThat(q.maxRunning()).isNull());
        assertThat(claim(10)).hasSize(1);
    }

    @Test
    void statisticsCountByQueueAndState() {
        store.executionSubmitMany(
                List.of(request(), request(), request(), request().withDelay(Duration.ofHours(1))));
        store.executionSubmitMany(List.of(SubmitRequest.now("emails", WORKFLOW.hash(), "wf", "{}", 1)));
        ClaimedExecution c = claim(1).get(0);
        store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "1", List.of())));
        claim(1);

        List<QueueStats> stats = store.queueStats(10_000);

        QueueStats d = stats.stream()
                .filter(s -> s.queue().equals("default"))
                .findFirst()
                .orElseThrow();
        assertThat(d.count(ExecutionState.AVAILABLE)).isEqualTo(2);
        assertThat(d.dueAvailable()).isEqualTo(1);
        assertThat(d.count(ExecutionState.RUNNING)).isEqualTo(1);
        assertThat(d.count(ExecutionState.SUCCEEDED)).isEqualTo(1);
        assertThat(d.finishedLastMinute()).isEqualTo(1);
        assertThat(d.capped()).isFalse();
        QueueStats e = stats.stream()
                .filter(s -> s.queue().equals("emails"))
                .findFirst()
                .orElseThrow();
        assertThat(e.dueAvailable()).isEqualTo(1);
        assertThat(store.queueStats(2).get(0).capped()).isTrue();
    }

    @Test
    void anExecutionHandedBackWaitsFromThenNotFromWhenItFirstBecameDue() {
        // Each execution waits before its first claim; handed back, it has waited only since. The
        // wait is long enough that a stalled machine does not take as long to claim it again.
        long released = submit(request());
        passTime(Duration.ofSeconds(3));
        ClaimedExecution first = claim(1).get(0);
        assertThat(first.queued()).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        leases().executionCompleteMany(
                        List.of(Completions.release(first.lease(), "worker shutting down", Duration.ZERO, List.of())));

        assertThat(oldestDueAge(store.queueStats(1000))).isLessThan(first.queued());
        assertThat(oldestDueAge(store.queueOverview(1000))).isLessThan(first.queued());
        ClaimedExecution again = claim(1).get(0);
        assertThat(again.id()).isEqualTo(released);
        assertThat(again.queued()).isLessThan(first.queued());

        long rescued = submit(request());
        passTime(Duration.ofSeconds(3));
        ClaimedExecution doomed = claimAndLetExpire(rescued);
        assertThat(doomed.queued()).isGreaterThanOrEqualTo(Duration.ofSeconds(3));

        assertThat(oldestDueAge(store.queueStats(1000))).isLessThan(doomed.queued());
        ClaimedExecution afterRescue = claim(1).get(0);
        assertThat(afterRescue.id()).isEqualTo(rescued);
        assertThat(afterRescue.queued()).isLessThan(doomed.queued());
    }

    private static Duration oldestDueAge(List<QueueStats> stats) {
        return stats.stream()
                .filter(s -> s.queue().equals("default"))
                .findFirst()
                .orElseThrow()
                .oldestDueAge();
    }

    @Test
    void theOverviewCountsWhatPeriodicStatisticsCount() {
        mixedExecutions();
        store.executionSubmitMany(List.of(request().withDelay(Duration.ofHours(1))));
        store.queuePause("paused-only", true);

        List<QueueStats> overview = store.queueOverview(10_000);

        assertThat(overview)
                .usingRecursiveFieldByFieldElementComparatorIgnoringFields("computedAt", "oldestDueAge")
                .containsExactlyElementsOf(store.queueStats(10_000, false));
        QueueStats d = overview.stream()
                .filter(s -> s.queue().equals("default"))
                .findFirst()
                .orElseThrow();
        assertThat(d.count(ExecutionState.AVAILABLE) - d.dueAvailable()).isEqualTo(1);
        assertThat(d.oldestDueAge()).isPositive();
        assertThat(overview).anySatisfy(s -> assertThat(s.paused()).isTrue());
        assertThat(store.queueOverview(2))
                .allSatisfy(s -> assertThat(s.capped()).isTrue());
    }

    @Test
    void periodicStatisticsReadOnlyTheLastMinuteOfFinishedExecutions() {
        store.executionSubmitMany(List.of(request(), request()));
        ClaimedExecution c = claim(1).get(0);
        store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "1", List.of())));

        QueueStats cheap = store.queueStats(10_000, false).get(0);

        assertThat(cheap.count(ExecutionState.AVAILABLE)).isEqualTo(1);
        assertThat(cheap.count(ExecutionState.SUCCEEDED)).isEqualTo(1);
        assertThat(cheap.finishedLastMinute()).isEqualTo(1);
    }

    @Test
    void pruningDeletesOldFinishedExecutionsWithTheirNodesAndHistory() {
        long done = submit(request());
        long waiting = submit(request().withDelay(Duration.ofHours(1)));
        ClaimedExecution c = claim(1).get(0);
        NodeResult first = new NodeResult("first", NodeStatus.SUCCEEDED, "0", null, 1, Instant.now(), Instant.now());
        assertThat(store.nodeCheckpointMany(List.of(new LeaseStore.Checkpoint(c.lease(), first))))
                .containsExactly(true);
        NodeResult n = new NodeResult("n", NodeStatus.SUCCEEDED, "1", null, 1, Instant.now(), Instant.now());
        store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "1", List.of(n))));
        assertThat(store.nodeResultList(done)).extracting(NodeResult::nodeId).containsExactly("first", "n");

        assertThat(store.executionPrune(Duration.ofHours(1), 100)).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.executionPrune(Duration.ofMillis(1), 100) == 1);

        assertThat(store.executionGet(done)).isEmpty();
        assertThat(store.nodeResultList(done)).isEmpty();
        assertThat(store.historyList(done)).isEmpty();
        assertThat(store.executionGet(waiting)).isPresent();
    }

    /** Fails execution {@code id} for good (claimed, then a failure that is not retried). */
    private void failForGood(long id) {
        ClaimedExecution c = claim(store, WORKER, 1, LEASE).getFirst();
        assertThat(c.id()).isEqualTo(id);
        store.executionCompleteMany(List.of(Completions.fail(c.lease(), "boom", false, null, List.of())));
        assertThat(get(id).state()).isEqualTo(ExecutionState.FAILED);
    }

    @Test
    void failedExecutionsAreWalkedInFinishOrderAPageAtATimeAndNothingElseIs() {
        long first = submit(request());
        failForGood(first);
        long succeeded = submit(request());
        ClaimedExecution s = claim(store, WORKER, 1, LEASE).getFirst();
        store.executionCompleteMany(List.of(Completions.succeed(s.lease(), "null", List.of())));
        long cancelled = submit(request());
        store.executionCancel(cancelled, "not wanted", "test");
        long second = submit(request());
        failForGood(second);
        long third = submit(request());
        failForGood(third);
        long waiting = submit(request().withRunAt(now().plus(Duration.ofHours(1))));
        assertThat(get(succeeded).state()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(get(cancelled).state()).isEqualTo(ExecutionState.CANCELLED);
        assertThat(get(waiting).state()).isEqualTo(ExecutionState.AVAILABLE);
        Duration hour = Duration.ofHours(1);

        List<MaintenanceStore.FailedExecution> page = store.executionFailedAfter(null, hour, Duration.ZERO, 2);
        assertThat(page).extracting(MaintenanceStore.FailedExecution::id).containsExactly(first, second);
        assertThat(page)
                .extracting(MaintenanceStore.FailedExecution::workflowHash)
                .containsOnly(WORKFLOW.hash());
        List<MaintenanceStore.FailedExecution> next = store.executionFailedAfter(page.get(1), hour, Duration.ZERO, 2);
        assertThat(next).extracting(MaintenanceStore.FailedExecution::id).containsExactly(third);
        assertThat(store.executionFailedAfter(next.getFirst(), hour, Duration.ZERO, 2))
                .as("the walk has passed every failure")
                .isEmpty();

        long fourth = submit(request());
        failForGood(fourth);
        assertThat(store.executionFailedAfter(next.getFirst(), hour, Duration.ZERO, 2))
                .as("a failure after the walk's position is found next")
                .extracting(MaintenanceStore.FailedExecution::id)
                .containsExactly(fourth);
    }

    @Test
    void failuresOfOneBatchShareAFinishTimeAndAreWalkedOneByOneAcrossPages() {
        long a = submit(request());
        long b = submit(request());
        long c = submit(request());
        List<ClaimedExecution> claimed = claim(store, WORKER, 3, LEASE);
        assertThat(claimed).extracting(ClaimedExecution::id).containsExactly(a, b, c);
        store.executionCompleteMany(claimed.stream()
                .map(x -> Completions.fail(x.lease(), "boom", false, null, List.of()))
                .toList());
        Duration hour = Duration.ofHours(1);

        List<Long> walked = new ArrayList<>();
        MaintenanceStore.FailedExecution at = null;
        for (int i = 0; i < 5; i++) {
            List<MaintenanceStore.FailedExecution> page = store.executionFailedAfter(at, hour, Duration.ZERO, 1);
            if (page.isEmpty()) {
                break;
            }
            at = page.getFirst();
            walked.add(at.id());
        }
        assertThat(walked).containsExactly(a, b, c);
    }

    @Test
    void theFailedWalkLeavesFailuresYoungerThanItsSettleTimeAndOlderThanItsLookback() {
        long id = submit(request());
        failForGood(id);
        passTime(Duration.ofMillis(20));

        assertThat(store.executionFailedAfter(null, Duration.ofHours(1), Duration.ofHours(1), 10))
                .as("finished less than the settle time ago")
                .isEmpty();
        assertThat(store.executionFailedAfter(null, Duration.ofMillis(1), Duration.ZERO, 10))
                .as("finished before the lookback")
                .isEmpty();
        assertThat(store.executionFailedAfter(null, Duration.ofHours(1), Duration.ZERO, 10))
                .extracting(MaintenanceStore.FailedExecution::id)
                .containsExactly(id);
    }

    // ---- leader and registry -------------------------------------------------------------------------

    @Test
    void leaderLeaseIsExclusiveUntilResignedOrExpired() {
        assertThat(store.leaderAttemptElect("maintenance", "a", Duration.ofMinutes(1)))
                .isTrue();
        assertThat(store.leaderAttemptElect("maintenance", "b", Duration.ofMinutes(1)))
                .isFalse();
        assertThat(store.leaderAttemptElect("maintenance", "a", Duration.ofMinutes(1)))
                .isTrue();
        assertThat(store.leaderGet("maintenance")).contains("a");
        store.leaderResign("maintenance", "a");
        assertThat(store.leaderAttemptElect("maintenance", "b", Duration.ofMillis(1)))
                .isTrue();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> store.leaderAttemptElect("maintenance", "c", Duration.ofMinutes(1)));
        assertThat(store.leaderGet("maintenance")).contains("c");
    }

    @Test
    void rescueAndPruneFencedByTheLeaderLeaseActOnlyForItsHolderDuringItsTerm() {
        ExecutionStore.LeaderFence a = new ExecutionStore.LeaderFence("maintenance", "a");
        ExecutionStore.LeaderFence b = new ExecutionStore.LeaderFence("maintenance", "b");
        long expired = submit(request());
        long finished = submit(request());
        assertThat(store.executionCancel(finished, "done")).isEqualTo(CancelResult.CANCELLED);
        claim(store, "doomed", 1, Duration.ofMillis(1));
        java.time.Instant past = store.databaseNow().plusMillis(50);
        await().atMost(Duration.ofSeconds(10)).until(() -> store.databaseNow().isAfter(past));

        // Nobody holds the lease: a fenced statement changes nothing.
        assertThat(store.executionRescue(3, 100, a).total()).isZero();
        assertThat(store.executionPrune(Duration.ZERO, 100, a)).isZero();
        // b holds it: a still changes nothing, b acts.
        assertThat(store.leaderAttemptElect("maintenance", "b", Duration.ofMinutes(1)))
                .isTrue();
        assertThat(store.executionRescue(3, 100, a).total()).isZero();
        assertThat(store.executionPrune(Duration.ZERO, 100, a)).isZero();
        assertThat(get(expired).state()).isEqualTo(ExecutionState.RUNNING);
        assertThat(store.executionRescue(3, 100, b).requeued()).isEqualTo(1);
        assertThat(store.executionPrune(Duration.ZERO, 100, b)).isEqualTo(1);
        assertThat(get(expired).state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(store.executionGet(finished)).isEmpty();

        // b's term ended (its lease expired without renewal): b acts no more.
        claim(store, "doomed", 1, Duration.ofMillis(1));
        assertThat(store.leaderAttemptElect("maintenance", "b", Duration.ofMillis(1)))
                .isTrue();
        java.time.Instant ended = store.databaseNow().plusMillis(50);
        await().atMost(Duration.ofSeconds(10)).until(() -> store.databaseNow().isAfter(ended));
        assertThat(store.executionRescue(3, 100, b).total()).isZero();
        assertThat(get(expired).state()).isEqualTo(ExecutionState.RUNNING);
        assertThat(store.executionRescue(3, 100).total()).as("unfenced").isEqualTo(1);
    }

    @Test
    void aHeartbeatRefreshesItsWorkersRegistryRow() {
        submit(request());
        ClaimedExecution c = claim(1).get(0);
        store.workerRegister(worker(WORKER));

        store.leaseHeartbeat(WORKER, List.of(c.lease()), LEASE, 2);

        assertThat(store.workerList(Duration.ofMinutes(1)))
                .singleElement()
                .extracting(WorkerInfo::active)
                .isEqualTo(2);
    }

    @Test
    void workersRegisterAndDeregister() {
        store.workerRegister(worker("w1"));
        store.workerRegister(worker("w2"));
        assertThat(store.workerList(Duration.ofMinutes(1)))
                .extracting(WorkerInfo::workerId)
                .containsExactly("w1", "w2");
        WorkerInfo w = store.workerList(Duration.ofMinutes(1)).get(0);
        assertThat(w.queues()).containsExactly("default", "emails");
        assertThat(w.concurrency()).isEqualTo(4);
        store.workerDeregister("w1");
        assertThat(store.workerList(Duration.ofMinutes(1)))
                .extracting(WorkerInfo::workerId)
                .containsExactly("w2");
    }

    @Test
    void aQueueNameThatBreaksTheRuleIsNeitherCreatedNorPaused() {
        assertThatThrownBy(() -> store.queueCreate("bad queue!"))
                .isInstanceOf(SubmitRejectedException.class)
                .hasMessageContaining("queue name 'bad queue!' is not valid");
        assertThatThrownBy(() -> store.queuePause("x\ny", true))
                .isInstanceOf(SubmitRejectedException.class)
                .hasMessageContaining("queue name 'x?y' is not valid");
        assertThat(store.queueList()).isEmpty();

        // A queue an earlier build stored under such a name can still be paused and resumed.
        store.workerRegister(
                new WorkerInfo("old", "pool", "host", 1, 4, List.of("legacy queue"), "0.0.9", null, null, 0));
        store.queuePause("legacy queue", true);
        assertThat(store.queuePausedList()).containsExactly("legacy queue");
        store.queuePause("legacy queue", false);
        assertThat(store.queuePausedList()).isEmpty();
    }

    @Test
    void aQueueIsKnownOnceAWorkerServedItOrAnOperatorCreatedOrPausedIt() {
        assertThat(store.queueList()).isEmpty();

        store.workerRegister(worker("w1"));
        assertThat(store.queueCreate("reports")).isTrue();
        assertThat(store.queueCreate("reports")).isFalse();
        assertThat(store.queueCreate("default")).isFalse();
        store.queuePause("archive", true);

        assertThat(store.queueList())
                .containsExactly(
                        new KnownQueue("archive", true),
                        new KnownQueue("default", false),
                        new KnownQueue("emails", false),
                        new KnownQueue("reports", false));
        // Statistics list every known queue, an empty one with zero counts.
        assertThat(store.queueStats(1000))
                .extracting(QueueStats::queue, QueueStats::paused, st -> st.count(ExecutionState.AVAILABLE))
                .containsExactly(
                        org.assertj.core.api.Assertions.tuple("archive", true, 0L),
                        org.assertj.core.api.Assertions.tuple("default", false, 0L),
                        org.assertj.core.api.Assertions.tuple("emails", false, 0L),
                        org.assertj.core.api.Assertions.tuple("reports", false, 0L));
    }

    protected static WorkerInfo worker(String id) {
        return new WorkerInfo(id, "pool", "host", 42, 4, List.of("default", "emails"), "0.1.0", null, null, 0);
    }

    // ---- inspection ------------------------------------------------------------------------------------

    @Test
    void listFiltersByStateWorkflowAndQueue() {
        store.workflowPut(new WorkflowDocument("h2", "other", "{}"));
        long a = submit(request());
        long b = submit(SubmitRequest.now("q2", "h2", "other", "{}", 1));
        claim(1);

        assertThat(store.executionList(ExecutionFilter.all(10)))
                .extracting(ExecutionView::id)
                .containsExactly(b, a);
        assertThat(store.executionList(new ExecutionFilter(ExecutionState.RUNNING, null, null, 10)))
                .extracting(ExecutionView::id)
                .containsExactly(a);
        assertThat(store.executionList(new ExecutionFilter(null, "other", null, 10)))
                .extracting(ExecutionView::id)
                .containsExactly(b);
        assertThat(store.executionList(new ExecutionFilter(null, null, "q2", 10)))
                .extracting(ExecutionView::id)
                .containsExactly(b);
        assertThat(store.executionList(ExecutionFilter.all(1))).hasSize(1);
        assertThat(store.executionList(new ExecutionFilter(null, null, null, b, 10)))
                .extracting(ExecutionView::id)
                .containsExactly(a);
        assertThat(store.executionList(new ExecutionFilter(null, "other", null, b, 10)))
                .isEmpty();
        assertThat(store.executionList(new ExecutionFilter(ExecutionState.RUNNING, null, null, b + 1, 10)))
                .extracting(ExecutionView::id)
                .containsExactly(a);
    }

    @Test
    void listPagesOnByIdWithoutRepeatingOrSkipping() {
        List<Long> submitted = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            submitted.add(submit(request()));
        }
        List<Long> paged = new ArrayList<>();
        Long before = null;
        for (int page = 0; page < 10; page++) {
            List<ExecutionView> views = store.executionList(new ExecutionFilter(null, null, null, before, 3));
            if (views.isEmpty()) {
                break;
            }
            assertThat(views).hasSizeLessThanOrEqualTo(3);
            views.forEach(v -> paged.add(v.id()));
            before = views.get(views.size() - 1).id();
        }
        assertThat(paged).isEqualTo(submitted.reversed());
    }

    /**
     * 24 executions of two workflows on two queues, submitted in four transactions (so several
     * share a creation time and only the id orders them), in every state: 3 succeeded, 2 failed, 3
     * running, 2 cancelled, the rest available.
     */
    private List<Long> mixedExecutions() {
        store.workflowPut(new WorkflowDocument("h2", "other", "{}"));
        List<Long> ids = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            List<SubmitRequest> batch = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                batch.add(i % 2 == 0 ? request() : SubmitRequest.now("q2", "h2", "other", "{}", 1));
            }
            store.executionSubmitMany(batch).forEach(s -> ids.add(s.executionId()));
        }
        List<ClaimedExecution> c = store.executionClaim(new ClaimRequest(WORKER, List.of("default", "q2"), 8, LEASE));
        List<Completion> done = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            done.add(
                    i < 3
                            ? Completions.succeed(c.get(i).lease(), "1", List.of())
                            : Completions.fail(c.get(i).lease(), "<script>boom</script>", false, null, List.of()));
        }
        store.executionCompleteMany(done);
        store.executionCancel(ids.get(ids.size() - 1), "test");
        store.executionCancel(ids.get(ids.size() - 2), "test");
        return ids;
    }

    /** Every page of {@code q}, in order, checking each page's size and that paging ends. */
    private List<Long> walk(ExecutionQuery q) {
        List<Long> out = new ArrayList<>();
        ExecutionQuery page = q;
        for (int pages = 0; ; pages++) {
            assertThat(pages).as("pages of " + q).isLessThan(200);
            ExecutionPage p = store.executionPage(page);
            assertThat(p.rows()).hasSizeLessThanOrEqualTo(q.limit());
            p.rows().forEach(r -> out.add(r.id()));
            if (p.next() == null) {
                return out;
            }
            page = q.withAfter(p.next());
        }
    }

    /** What {@code q} should list, from every execution read one by one. */
    private List<Long> expected(List<Long> ids, ExecutionQuery q) {
        return ids.stream()
                .map(this::get)
                .filter(v -> q.matches(summaryOf(v)))
                .sorted(java.util.Comparator.comparing(ExecutionView::createdAt)
                        .thenComparingLong(ExecutionView::id)
                        .reversed())
                .map(ExecutionView::id)
                .toList();
    }

    private static ExecutionSummary summaryOf(ExecutionView v) {
        return new ExecutionSummary(
                v.id(),
                v.queue(),
                v.workflowHash(),
                v.workflowName(),
                v.state(),
                v.priority(),
                v.runAt(),
                v.attempt(),
                v.maxAttempts(),
                v.leaseOwner(),
                v.createdAt(),
                v.startedAt(),
                v.finishedAt(),
                v.lastError(),
                v.cancelRequested(),
                v.idempotencyKey(),
                v.lastEvent());
    }

    @Test
    void pagesListEveryExecutionNewestFirstOnceWhateverThePageSize() {
        List<Long> ids = mixedExecutions();
        List<Long> all = expected(ids, ExecutionQuery.newest(ExecutionQuery.MAX_LIMIT));
        assertThat(all).hasSize(24).doesNotHaveDuplicates();

        for (int limit : new int[] {1, 5, 7, 24, 100}) {
            assertThat(walk(ExecutionQuery.newest(limit))).as("limit " + limit).isEqualTo(all);
        }
        ExecutionPage first = store.executionPage(ExecutionQuery.newest(5));
        assertThat(first.searchLimited()).isFalse();
        assertThat(first.scanned()).isZero();
        assertThat(first.rows().get(0).error()).isNull();
        assertThat(store.executionPage(ExecutionQuery.newest(24)).next()).isNull();
    }

    @Test
    void pagesFilterByStateWorkflowQueueAndDefinition() {
        List<Long> ids = mixedExecutions();
        List<ExecutionQuery> queries = new ArrayList<>();
        for (ExecutionState s : ExecutionState.values()) {
            queries.add(ExecutionQuery.newest(2).withState(s));
            queries.add(ExecutionQuery.newest(2).withState(s).withWorkflow("other", null));
            queries.add(ExecutionQuery.newest(3).withState(s).withQueue("default"));
        }
        queries.add(ExecutionQuery.newest(4).withWorkflow("other", null));
        queries.add(ExecutionQuery.newest(4).withWorkflow("wf", WORKFLOW.hash()));
        queries.add(ExecutionQuery.newest(4).withWorkflow(null, "h2"));
        queries.add(ExecutionQuery.newest(4).withQueue("q2"));
        queries.add(ExecutionQuery.newest(4).withQueue("nowhere"));
        queries.add(ExecutionQuery.newest(4).withWorkflow("wf", null).withQueue("q2"));

        for (ExecutionQuery q : queries) {
            assertThat(walk(q)).as(q.toString()).isEqualTo(expected(ids, q));
        }
        assertThat(expected(ids, ExecutionQuery.newest(4).withState(ExecutionState.RUNNING)))
                .hasSize(3);
        ExecutionSummary failed = store.executionPage(ExecutionQuery.newest(1).withState(ExecutionState.FAILED))
                .rows()
                .get(0);
        assertThat(failed.error()).isEqualTo("<script>boom</script>");
        assertThat(failed.finishedAt()).isNotNull();
    }

    @Test
    void pagesFilterByCreationTime() {
        long early = submit(request());
        Instant between = store.databaseNow();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.databaseNow().isAfter(between.plusMillis(5)));
        long late = submit(request());
        claim(1);
        Instant from = between.plusMillis(1);

        assertThat(walk(ExecutionQuery.newest(10).withCreated(from, null))).containsExactly(late);
        assertThat(walk(ExecutionQuery.newest(10).withCreated(null, from))).containsExactly(early);
        assertThat(walk(ExecutionQuery.newest(10).withCreated(null, from).withState(ExecutionState.RUNNING)))
                .containsExactly(early);
        assertThat(walk(ExecutionQuery.newest(10).withCreated(from, from))).isEmpty();
    }

    @Test
    void aFilterNoIndexServesReadsABoundedSliceAndContinuesWhereItStopped() {
        List<SubmitRequest> rare = List.of(
                SubmitRequest.now("rare", WORKFLOW.hash(), "wf", "{}", 1),
                SubmitRequest.now("rare", WORKFLOW.hash(), "wf", "{}", 1));
        List<Long> rareIds = store.executionSubmitMany(rare).stream()
                .map(Submitted::executionId)
                .toList();
        store.executionSubmitMany(overBudget());
        ExecutionQuery q = ExecutionQuery.newest(10).withQueue("rare");

        ExecutionPage first = store.executionPage(q);

        assertThat(first.rows()).isEmpty();
        assertThat(first.searchLimited()).isTrue();
        assertThat(first.scanned()).isEqualTo(ExecutionQuery.SCAN_BUDGET);
        ExecutionPage second = store.executionPage(q.withAfter(first.next()));
        assertThat(second.rows()).extracting(ExecutionSummary::id).containsExactlyElementsOf(rareIds.reversed());
        assertThat(second.searchLimited()).isFalse();
        assertThat(second.next()).isNull();
        // A workflow filter is checked row by row too: every row here matches, so the page fills
        // after reading about as many rows as it shows.
        ExecutionPage byWorkflow = store.executionPage(ExecutionQuery.newest(10).withWorkflow("wf", null));
        assertThat(byWorkflow.rows()).hasSize(10);
        assertThat(byWorkflow.scanned()).isEqualTo(11);
    }

    /** Five more executions than a page's scan budget, on the default queue. */
    private List<SubmitRequest> overBudget() {
        List<SubmitRequest> many = new ArrayList<>();
        for (int i = 0; i < ExecutionQuery.SCAN_BUDGET + 5; i++) {
            many.add(request());
        }
        return many;
    }

    /**
     * The unfiltered list merges available, running and finished rows, the available and finished
     * ones each read within its own budget. Here both reads run out of budget on the first page, at
     * different places, and each later page must continue from the newer of the places a read
     * stopped, so that no row is skipped or repeated.
     */
    @Test
    void aFilteredListMergesFinishedAndAvailableRowsAcrossBudgetEdges() {
        List<SubmitRequest> others = overBudget();
        int more = others.size();
        long rareFinished = submit(SubmitRequest.now("rare", WORKFLOW.hash(), "wf", "{}", 1));
        store.executionSubmitMany(others);
        List<ClaimedExecution> claimed =
                store.executionClaim(new ClaimRequest(WORKER, List.of("default", "rare"), more + 1, LEASE));
        assertThat(claimed).hasSize(more + 1);
        store.executionCompleteMany(claimed.stream()
                .map(c -> Completions.succeed(c.lease(), "1", List.of()))
                .toList());
        long rareRunning = submit(SubmitRequest.now("rare", WORKFLOW.hash(), "wf", "{}", 1));
        assertThat(store.executionClaim(new ClaimRequest(WORKER, List.of("rare"), 1, LEASE)))
                .extracting(c -> c.lease().executionId())
                .containsExactly(rareRunning);
        long rareAvailable = submit(SubmitRequest.now("rare", WORKFLOW.hash(), "wf", "{}", 1));
        store.executionSubmitMany(others);
        ExecutionQuery q = ExecutionQuery.newest(10).withQueue("rare");

        ExecutionPage first = store.executionPage(q);
        ExecutionPage second = store.executionPage(q.withAfter(first.next()));
        ExecutionPage third = store.executionPage(q.withAfter(second.next()));

        // Both reads spend their budget; the running row, older than where the available rows'
        // read stopped, waits for the page that reaches it.
        assertThat(first.rows()).isEmpty();
        assertThat(first.searchLimited()).isTrue();
        assertThat(first.scanned()).isEqualTo(2L * ExecutionQuery.SCAN_BUDGET);
        assertThat(second.rows()).extracting(ExecutionSummary::id).containsExactly(rareAvailable, rareRunning);
        assertThat(second.searchLimited()).isTrue();
        assertThat(third.rows()).extracting(ExecutionSummary::id).containsExactly(rareFinished);
        assertThat(third.next()).isNull();
        assertThat(walk(q)).containsExactly(rareAvailable, rareRunning, rareFinished);
        assertThat(walk(ExecutionQuery.newest(10).withQueue("rare").withState(ExecutionState.SUCCEEDED)))
                .containsExactly(rareFinished);
        assertThat(walk(ExecutionQuery.newest(10).withQueue("rare").withState(ExecutionState.AVAILABLE)))
                .containsExactly(rareAvailable);
    }

    /**
     * A finished row older than where the available rows' read ran out of budget waits for the page
     * that reaches it: listed earlier, it would be listed again (and out of order) when the next page
     * continues from that place.
     */
    @Test
    void aMatchOlderThanAnotherReadsBudgetEdgeWaitsForItsPage() {
        long rareFinished = submit(SubmitRequest.now("rare", WORKFLOW.hash(), "wf", "{}", 1));
        List<ClaimedExecution> claimed = store.executionClaim(new ClaimRequest(WORKER, List.of("rare"), 1, LEASE));
        store.executionCompleteMany(List.of(Completions.succeed(claimed.get(0).lease(), "1", List.of())));
        long rareAvailable = submit(SubmitRequest.now("rare", WORKFLOW.hash(), "wf", "{}", 1));
        store.executionSubmitMany(overBudget());
        ExecutionQuery q = ExecutionQuery.newest(10).withQueue("rare");

        ExecutionPage first = store.executionPage(q);

        assertThat(first.rows()).isEmpty();
        assertThat(first.searchLimited()).isTrue();
        ExecutionPage second = store.executionPage(q.withAfter(first.next()));
        assertThat(second.rows()).extracting(ExecutionSummary::id).containsExactly(rareAvailable, rareFinished);
        assertThat(second.next()).isNull();
    }

    @Test
    void anExecutionIsFoundByItsIdempotencyKey() {
        long id = submit(request().withIdempotencyKey("order-42"));
        assertThat(store.executionGetByKey("order-42")).map(ExecutionView::id).contains(id);
        assertThat(store.executionGetByKey("order-43")).isEmpty();
    }

    @Test
    void executionsAreFoundBySeveralIdempotencyKeysInOneRead() {
        long a = submit(request().withIdempotencyKey("child:7:each[0]"));
        long b = submit(request().withIdempotencyKey("child:7:each[1]#1"));
        submit(request());

        Map<String, ExecutionView> found =
                store.executionGetByKeys(List.of("child:7:each[0]", "child:7:each[1]", "child:7:each[1]#1", "none"));

        assertThat(found).containsOnlyKeys("child:7:each[0]", "child:7:each[1]#1");
        assertThat(found.get("child:7:each[0]").id()).isEqualTo(a);
        assertThat(found.get("child:7:each[1]#1").id()).isEqualTo(b);
        assertThat(found.get("child:7:each[1]#1").state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(found.get("child:7:each[1]#1").now()).isNotNull();
        assertThat(store.executionGetByKeys(List.of())).isEmpty();
        List<String> tooMany = java.util.stream.IntStream.rangeClosed(0, InspectionStore.MAX_KEYS)
                .mapToObj(i -> "k" + i)
                .toList();
        assertThatThrownBy(() -> store.executionGetByKeys(tooMany))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 1000 idempotency keys");
    }

    @Test
    void failuresAndThroughputAreCountedPerQueueAndMinute() {
        store.executionSubmitMany(
                List.of(request(), request(), request(), SubmitRequest.now("q2", WORKFLOW.hash(), "wf", "{}", 1)));
        List<ClaimedExecution> c = store.executionClaim(new ClaimRequest(WORKER, List.of("default", "q2"), 4, LEASE));
        store.executionCompleteMany(List.of(
                Completions.succeed(c.get(0).lease(), "1", List.of()),
                Completions.succeed(c.get(1).lease(), "1", List.of()),
                Completions.fail(c.get(2).lease(), "no", false, null, List.of())));

        assertThat(store.queueFailedRecently(Duration.ofHours(1), 1_000)).containsExactly(Map.entry("default", 1L));
        List<ThroughputBucket> buckets = store.queueThroughput(15, 1_000);
        assertThat(buckets).allSatisfy(b -> assertThat(b.capped()).isFalse());
        assertThat(buckets.stream().filter(b -> b.queue().equals("default")).mapToLong(ThroughputBucket::finished))
                .containsOnly(3L);
        assertThat(buckets.stream().filter(b -> b.queue().equals("default")).mapToLong(ThroughputBucket::failed))
                .containsOnly(1L);
        assertThat(buckets).noneMatch(b -> b.queue().equals("q2"));
        Instant now = store.databaseNow();
        assertThat(buckets).allSatisfy(b -> assertThat(b.minute()).isBetween(now.minus(Duration.ofMinutes(15)), now));
        assertThat(store.queueThroughput(15, 2))
                .anySatisfy(b -> assertThat(b.capped()).isTrue());
    }

    @Test
    void workflowsAreListedByNameThenHashInPages() {
        store.workflowPut(new WorkflowDocument("h-b", "b", "{}"));
        store.workflowPut(new WorkflowDocument("h-a2", "a", "{}"));
        store.workflowPut(new WorkflowDocument("h-a1", "a", "{}"));

        List<WorkflowSummary> first = store.workflowList(null, null, 2);
        assertThat(first).extracting(WorkflowSummary::hash).containsExactly("h-a1", "h-a2");
        assertThat(first.get(0).createdAt()).isNotNull();
        assertThat(store.workflowList("a", "h-a2", 2))
                .extracting(WorkflowSummary::hash)
                .containsExactly("h-b", WORKFLOW.hash());
        assertThat(store.workflowList("wf", WORKFLOW.hash(), 2)).isEmpty();
    }

    @Test
    void countAheadFollowsClaimOrderWithinTheQueueAndStopsAtTheCap() {
        long first = submit(request());
        long urgent = submit(request().withPriority(-1));
        long later = submit(request().withDelay(Duration.ofHours(1)));
        store.executionSubmitMany(List.of(SubmitRequest.now("other", WORKFLOW.hash(), "wf", "{}", 1)));
        long last = submit(request());
        long running = submit(request().withPriority(-5));
        claim(1);

        assertThat(store.executionCountAhead(urgent, 100)).isZero();
        assertThat(store.executionCountAhead(first, 100)).isEqualTo(1);
        assertThat(store.executionCountAhead(last, 100)).isEqualTo(2);
        assertThat(store.executionCountAhead(last, 1)).isEqualTo(1);
        assertThat(store.executionCountAhead(later, 100)).isEqualTo(3);
        assertThat(get(running).state()).isEqualTo(ExecutionState.RUNNING);
        assertThat(store.executionCountAhead(999_999, 100)).isZero();
    }

    @Test
    void databaseClockIsAvailable() {
        assertThat(Duration.between(store.databaseNow(), Instant.now()).abs()).isLessThan(Duration.ofMinutes(5));
    }

    // ---- wake-ups -------------------------------------------------------------------------------------

    @Test
    void aSubmitWakesSubscribedClaimers() throws Exception {
        java.util.concurrent.atomic.AtomicInteger wakes = new java.util.concurrent.atomic.AtomicInteger();
        try (AutoCloseable sub = store.wakeupSubscribe(List.of("default"), wakes::incrementAndGet)) {
            await().atMost(Duration.ofSeconds(5)).until(store::wakeupConnected);
            int before = wakes.get();
            submit(request());
            await().atMost(Duration.ofSeconds(5)).until(() -> wakes.get() > before);
        }
    }
    // ---- signals --------------------------------------------------------------------------------------

    private Completion parkFor(ClaimedExecution c, String signal, Duration timeout) {
        return Completions.awaitSignal(
                c.lease(),
                "node 'gate': waiting for signal '" + signal + "'",
                List.of(new SignalWait("gate", signal, timeout)),
                List.of());
    }

    @Test
    void aSignalDeliveredBeforeAnyWaitIsKeptAndASecondDeliveryChangesNothing() {
        long id = submit(request());

        SignalDelivery first = store.signalSend(id, "approve", "{\"by\":\"ada\"}");
        SignalDelivery second = store.signalSend(id, "approve", "{\"by\":\"bob\"}");

        assertThat(first)
                .isEqualTo(new SignalDelivery(SignalDelivery.Outcome.DELIVERED, ExecutionState.AVAILABLE, false));
        assertThat(second.outcome()).isEqualTo(SignalDelivery.Outcome.DUPLICATE);
        SignalView v = store.signalGet(id, "approve").orElseThrow();
        assertThat(v.dataJson()).isEqualToIgnoringWhitespace("{\"by\":\"ada\"}");
        assertThat(v.receivedInTime()).isTrue();
        assertThat(v.waitingSince()).isNull();
        assertThat(store.signalList(id)).extracting(SignalView::name).containsExactly("approve");
        assertThat(store.signalGet(id, "other")).isEmpty();
        assertThat(events(id)).isEmpty();
    }

    @Test
    void aParkedExecutionFreesItsLeaseAndItsSignalMakesItDue() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);

        assertThat(store.executionCompleteMany(List.of(parkFor(c, "approve", null))))
                .containsExactly(new CompletionResult(c.lease(), true, ExecutionState.AVAILABLE));

        ExecutionView parked = get(id);
        assertThat(parked.state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(parked.attempt()).as("the attempt is given back").isZero();
        assertThat(parked.runAt()).isAfter(parked.now().plus(Duration.ofDays(365 * 100)));
        assertThat(claim(1)).isEmpty();
        SignalView wait = store.signalGet(id, "approve").orElseThrow();
        assertThat(wait.received()).isFalse();
        assertThat(wait.nodeId()).isEqualTo("gate");
        assertThat(wait.waitingSince()).isNotNull();
        assertThat(wait.timeoutAt()).isNull();

        SignalDelivery d = store.signalSend(id, "approve", "{\"ok\":true}", "alice@laptop");

        assertThat(d).isEqualTo(new SignalDelivery(SignalDelivery.Outcome.DELIVERED, ExecutionState.AVAILABLE, true));
        assertThat(store.historyList(id).getLast())
                .as("the wake-up is credited to whoever sent the signal")
                .extracting(HistoryEntry::event, HistoryEntry::workerId)
                .containsExactly("signal_received", "alice@laptop");
        assertThat(get(id).runAt()).isBeforeOrEqualTo(get(id).now());
        ClaimedExecution again = claim(1).get(0);
        assertThat(again.id()).isEqualTo(id);
        assertThat(again.attempt()).isEqualTo(1);
        assertThat(again.resumable()).isTrue();
        assertThat(store.historyList(id))
                .extracting(HistoryEntry::event, HistoryEntry::detail)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("claimed", null),
                        org.assertj.core.groups.Tuple.tuple(
                                "awaiting_signal", "node 'gate': waiting for signal 'approve'"),
                        org.assertj.core.groups.Tuple.tuple("signal_received", "signal 'approve' delivered"),
                        org.assertj.core.groups.Tuple.tuple("claimed", null));
        // Delivered again after the wake-up: nothing changes.
        assertThat(store.signalSend(id, "approve", "{}").outcome()).isEqualTo(SignalDelivery.Outcome.DUPLICATE);
    }

    @Test
    void aSignalDeliveredWhileTheNodeRunsIsFoundByThePark() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        assertThat(store.signalSend(id, "approve", "{}"))
                .isEqualTo(new SignalDelivery(SignalDelivery.Outcome.DELIVERED, ExecutionState.RUNNING, false));

        store.executionCompleteMany(List.of(parkFor(c, "approve", Duration.ofHours(1))));

        ExecutionView v = get(id);
        assertThat(v.runAt()).as("due at once, not at the timeout").isBeforeOrEqualTo(v.now());
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(id);
        assertThat(store.signalGet(id, "approve").orElseThrow().receivedInTime())
                .isTrue();
    }

    @Test
    void aWaitIsDueAtItsTimeoutWhichAParkAgainKeeps() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        store.executionCompleteMany(List.of(parkFor(c, "approve", Duration.ofMillis(300))));
        SignalView first = store.signalGet(id, "approve").orElseThrow();
        assertThat(Duration.between(first.waitingSince(), first.timeoutAt())).isEqualTo(Duration.ofMillis(300));
        assertThat(get(id).runAt()).isEqualTo(first.timeoutAt());

        java.util.concurrent.atomic.AtomicReference<ClaimedExecution> woken =
                new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            claim(1).forEach(woken::set);
            return woken.get() != null;
        });
        ClaimedExecution c2 = woken.get();
        assertThat(store.signalGet(id, "approve").orElseThrow().timedOut()).isTrue();
        // Parked again (woken for another reason): the first wait's start and timeout stand.
        store.executionCompleteMany(List.of(parkFor(c2, "approve", Duration.ofHours(1))));
        SignalView again = store.signalGet(id, "approve").orElseThrow();
        assertThat(again.waitingSince()).isEqualTo(first.waitingSince());
        assertThat(again.timeoutAt()).isEqualTo(first.timeoutAt());
    }

    @Test
    void signalsToFinishedOrUnknownExecutionsAreRefusedAndBadDataIsRejected() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "{}", List.of())));

        assertThat(store.signalSend(id, "approve", "{}"))
                .isEqualTo(new SignalDelivery(SignalDelivery.Outcome.FINISHED, ExecutionState.SUCCEEDED, false));
        assertThat(store.signalSend(999_999, "approve", "{}").outcome()).isEqualTo(SignalDelivery.Outcome.NOT_FOUND);
        assertThat(store.signalList(id)).isEmpty();
        long open = submit(request());
        assertThatThrownBy(() -> store.signalSend(open, "approve", "{\"a\":"))
                .isInstanceOf(SubmitRejectedException.class)
                .hasMessageStartingWith("signal 'approve': data is not valid JSON at line 1, column 6");
        assertThat(store.signalList(open)).isEmpty();
    }

    @Test
    void aStaleHolderCannotParkAndAPendingCancelWins() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        LeaseRef stale = new LeaseRef(id, c.leaseEpoch() + 1);
        Completion staleAwait =
                Completions.awaitSignal(stale, "x", List.of(new SignalWait("gate", "approve", null)), List.of());

        assertThat(store.executionCompleteMany(List.of(staleAwait))).containsExactly(CompletionResult.lost(stale));
        assertThat(store.signalList(id)).isEmpty();
        assertThat(get(id).state()).isEqualTo(ExecutionState.RUNNING);

        store.executionCancel(id, "stop");
        NodeResult done = new NodeResult("before", NodeStatus.SUCCEEDED, "1", null, 1, Instant.now(), Instant.now());
        Completion withNode = Completions.awaitSignal(
                c.lease(), "x", List.of(new SignalWait("gate", "approve", null)), List.of(done));
        assertThat(store.executionCompleteMany(List.of(withNode)))
                .containsExactly(new CompletionResult(c.lease(), true, ExecutionState.CANCELLED));
        assertThat(store.nodeResultList(id)).extracting(NodeResult::nodeId).containsExactly("before");
        assertThat(store.signalSend(id, "approve", "{}").outcome()).isEqualTo(SignalDelivery.Outcome.FINISHED);
    }

    @Test
    void aRetryForgetsSignalWaitsButKeepsDeliveredSignals() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        store.executionCompleteMany(List.of(Completions.awaitSignal(
                c.lease(),
                "x",
                List.of(new SignalWait("a", "one", Duration.ofMillis(1)), new SignalWait("b", "two", null)),
                List.of())));
        store.signalSend(id, "two", "2");
        ClaimedExecution c2 = claim(1).get(0);
        store.executionCompleteMany(List.of(Completions.fail(c2.lease(), "timed out", false, null, List.of())));

        assertThat(store.executionRetry(id, false)).isEqualTo(RetryResult.REQUEUED);

        assertThat(store.signalList(id)).singleElement().satisfies(v -> {
            assertThat(v.name()).isEqualTo("two");
            assertThat(v.waitingSince()).isNull();
            assertThat(v.timeoutAt()).isNull();
            assertThat(v.receivedInTime()).isTrue();
        });
    }

    // ---- schedules ------------------------------------------------------------------------------------

    protected static Schedule schedule(String name, Instant next) {
        return Schedule.define(
                name,
                WORKFLOW.hash(),
                WORKFLOW.name(),
                "*/10 * * * * *",
                "UTC",
                "{\"report\":\"daily\"}",
                "default",
                3,
                Schedule.Overlap.ALLOW,
                Schedule.CatchUp.LATEST,
                next);
    }

    private ScheduleFire fire(Schedule s, Instant fireTime, Instant next, boolean skip) {
        SubmitRequest r = new SubmitRequest(
                s.queue(),
                s.workflowHash(),
                s.workflowName(),
                s.inputJson(),
                0,
                null,
                null,
                s.maxAttempts(),
                Schedule.idempotencyKey(s.name(), fireTime));
        return new ScheduleFire(s.name(), s.nextFireAt(), List.of(fireTime), List.of(r), next, skip);
    }

    @Test
    void schedulesAreCreatedOnceAndListedPausedResumedAndDeleted() {
        Instant next = Instant.parse("2030-01-01T00:00:00Z");
        assertThat(store.scheduleCreate(schedule("nightly", next))).isTrue();
        assertThat(store.scheduleCreate(schedule("nightly", next.plusSeconds(10))))
                .isFalse();
        store.scheduleCreate(schedule("another", next).withPaused(true));

        Schedule s = store.scheduleGet("nightly").orElseThrow();
        assertThat(s.nextFireAt()).isEqualTo(next);
        assertThat(s.inputJson()).isEqualToIgnoringWhitespace("{\"report\":\"daily\"}");
        assertThat(s.catchUp()).isEqualTo(Schedule.CatchUp.LATEST);
        assertThat(s.paused()).isFalse();
        assertThat(s.lastFireAt()).isNull();
        assertThat(s.createdAt()).isNotNull();
        assertThat(store.scheduleList()).extracting(Schedule::name).containsExactly("another", "nightly");
        assertThat(store.scheduleList().get(0).paused()).isTrue();

        assertThat(store.schedulePause("nightly", true, null)).isTrue();
        assertThat(store.scheduleGet("nightly").orElseThrow().paused()).isTrue();
        assertThat(store.schedulePause("nightly", false, next.plusSeconds(60))).isTrue();
        assertThat(store.scheduleGet("nightly").orElseThrow().nextFireAt()).isEqualTo(next.plusSeconds(60));
        assertThat(store.schedulePause("nope", true, null)).isFalse();

        Schedule changed = new Schedule(
                "nightly",
                WORKFLOW.hash(),
                WORKFLOW.name(),
                "0 3 * * *",
                "Europe/Berlin",
                "{}",
                "reports",
                1,
                Schedule.Overlap.SKIP,
                new Schedule.CatchUp(5),
                true,
                next,
                null,
                null,
                null,
                null,
                null);
        store.scheduleSave(changed);
        assertThat(store.scheduleGet("nightly").orElseThrow().sameDefinition(changed))
                .isTrue();
        assertThat(store.scheduleGet("nightly").orElseThrow().paused()).isTrue();

        assertThat(store.scheduleDelete("nightly")).isTrue();
        assertThat(store.scheduleDelete("nightly")).isFalse();
        assertThat(store.scheduleGet("nightly")).isEmpty();
    }

    @Test
    void aFireSubmitsOnceWithTheScheduleKeyAndAdvancesTheSchedule() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        store.scheduleCreate(schedule("every-10s", t0));
        store.scheduleCreate(schedule("paused", t0).withPaused(true));
        store.scheduleCreate(schedule("later", Instant.parse("2100-01-01T00:00:00Z")));

        ScheduleDue due = store.scheduleDue(t0.plusSeconds(1), 10);
        assertThat(due.now()).isEqualTo(t0.plusSeconds(1));
        assertThat(due.schedules()).extracting(Schedule::name).containsExactly("every-10s");
        assertThat(store.scheduleDue(null, 10).schedules())
                .as("by the database clock, now")
                .extracting(Schedule::name)
                .containsExactly("every-10s");
        Schedule s = due.schedules().get(0);

        ScheduleFire.Result r = store.scheduleFire(fire(s, t0, t0.plusSeconds(10), false));

        assertThat(r.outcome()).isEqualTo(ScheduleFire.Outcome.FIRED);
        assertThat(r.submitted()).singleElement().extracting(Submitted::created).isEqualTo(true);
        long id = r.submitted().get(0).executionId();
        assertThat(get(id).idempotencyKey()).isEqualTo("schedule:every-10s:2026-01-01T00:00:00Z");
        assertThat(get(id).inputJson()).isEqualToIgnoringWhitespace("{\"report\":\"daily\"}");
        Schedule after = store.scheduleGet("every-10s").orElseThrow();
        assertThat(after.nextFireAt()).isEqualTo(t0.plusSeconds(10));
        assertThat(after.lastFireAt()).isEqualTo(t0);
        assertThat(after.lastExecutionId()).isEqualTo(id);
        assertThat(store.scheduleDue(t0.plusSeconds(1), 10).schedules()).isEmpty();

        // The same pass again (another worker that read the schedule before): nothing happens.
        assertThat(store.scheduleFire(fire(s, t0, t0.plusSeconds(10), false)).outcome())
                .isEqualTo(ScheduleFire.Outcome.STALE);
        // Even a pass that gets past the check cannot create a second execution for that time.
        assertThat(store.scheduleFire(fire(after, t0, t0.plusSeconds(20), false))
                        .submitted())
                .containsExactly(new Submitted(id, false));
        assertThat(store.executionList(ExecutionFilter.all(10))).hasSize(1);
    }

    @Test
    void overlapSkipFiresNothingWhileThePreviousExecutionIsUnfinished() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        store.scheduleCreate(schedule("exclusive", t0));
        Schedule s = store.scheduleGet("exclusive").orElseThrow();
        long first = store.scheduleFire(fire(s, t0, t0.plusSeconds(10), true))
                .submitted()
                .get(0)
                .executionId();

        Schedule s1 = store.scheduleGet("exclusive").orElseThrow();
        ScheduleFire.Result skipped = store.scheduleFire(fire(s1, t0.plusSeconds(10), t0.plusSeconds(20), true));
        assertThat(skipped.outcome()).isEqualTo(ScheduleFire.Outcome.SKIPPED_OVERLAP);
        Schedule s2 = store.scheduleGet("exclusive").orElseThrow();
        assertThat(s2.nextFireAt()).isEqualTo(t0.plusSeconds(20));
        assertThat(s2.lastExecutionId()).isEqualTo(first);

        ClaimedExecution c = claim(1).get(0);
        assertThat(store.scheduleFire(fire(s2, t0.plusSeconds(20), t0.plusSeconds(30), true))
                        .outcome())
                .as("still running")
                .isEqualTo(ScheduleFire.Outcome.SKIPPED_OVERLAP);
        store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "{}", List.of())));
        Schedule s3 = store.scheduleGet("exclusive").orElseThrow();
        assertThat(store.scheduleFire(fire(s3, t0.plusSeconds(30), t0.plusSeconds(40), true))
                        .outcome())
                .isEqualTo(ScheduleFire.Outcome.FIRED);
        assertThat(store.executionList(ExecutionFilter.all(10))).hasSize(2);
    }

    @Test
    void workersFiringTheSameScheduleAtOnceCreateOneExecution() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        store.scheduleCreate(schedule("raced", t0));
        Schedule s = store.scheduleGet("raced").orElseThrow();
        List<ExecutionStore> others = List.of(sameDatabase(), sameDatabase(), sameDatabase());
        ExecutorService pool = Executors.newFixedThreadPool(others.size());
        try {
            List<Future<ScheduleFire.Result>> fs = new ArrayList<>();
            for (ExecutionStore o : others) {
                fs.add(pool.submit(() -> o.scheduleFire(fire(s, t0, t0.plusSeconds(10), false))));
            }
            List<ScheduleFire.Outcome> outcomes = new ArrayList<>();
            for (Future<ScheduleFire.Result> f : fs) {
                outcomes.add(f.get().outcome());
            }
            assertThat(outcomes).containsOnlyOnce(ScheduleFire.Outcome.FIRED);
        } finally {
            pool.shutdownNow();
            others.forEach(ExecutionStore::close);
        }
        assertThat(store.executionList(ExecutionFilter.all(10))).hasSize(1);
    }

    @Test
    void pruningDeletesTheSignalsOfPrunedExecutions() {
        long id = submit(request());
        store.signalSend(id, "approve", "{}");
        ClaimedExecution c = claim(1).get(0);
        store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "{}", List.of())));

        await().atMost(Duration.ofSeconds(10)).until(() -> store.executionPrune(Duration.ofMillis(1), 100) == 1);

        assertThat(store.signalList(id)).isEmpty();
    }

    @Test
    void aFinishedChildIsKeptWhileItsParentHasNotFinished() {
        long parent = parentWaitingForChildren(Duration.ofHours(1));
        long child = submit(request().withIdempotencyKey(ChildKeys.key(parent, "ship")));
        long item = submit(request().withIdempotencyKey(ChildKeys.itemKey(parent, "each", 0, 1)));
        long orphan = submit(request().withIdempotencyKey(ChildKeys.key(424_242, "ship")));
        long plain = submit(request());
        List<ClaimedExecution> claimed = claim(4);
        assertThat(claimed).extracting(ClaimedExecution::id).containsExactlyInAnyOrder(child, item, orphan, plain);
        store.executionCompleteMany(claimed.stream()
                .map(c -> Completions.succeed(c.lease(), "{}", List.of()))
                .toList());

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            store.executionPrune(Duration.ofMillis(1), 100);
            return store.executionGet(plain).isEmpty()
                    && store.executionGet(orphan).isEmpty();
        });
        assertThat(store.executionPrune(Duration.ofMillis(1), 100)).isZero();
        assertThat(store.executionGet(child))
                .as("the parent resumes by the child's key")
                .isPresent();
        assertThat(store.executionGet(item)).isPresent();

        ClaimedExecution p = claim(1).get(0);
        assertThat(p.id()).isEqualTo(parent);
        store.executionCompleteMany(List.of(Completions.succeed(p.lease(), "{}", List.of())));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            store.executionPrune(Duration.ofMillis(1), 100);
            return store.executionGet(child).isEmpty()
                    && store.executionGet(item).isEmpty()
                    && store.executionGet(parent).isEmpty();
        });
    }

    // ---- a child's end wakes its parent -------------------------------------------------------

    private long parentWaitingForChildren(Duration wait) {
        long parent = submit(request());
        ClaimedExecution c = claim(1).get(0);
        assertThat(c.id()).isEqualTo(parent);
        store.executionCompleteMany(List.of(Completions.awaitChildren(c.lease(), "waiting for child", wait)));
        return parent;
    }

    private LeaseRef runningChild(long parent, String node) {
        long child = submit(request().withIdempotencyKey(ChildKeys.key(parent, node)));
        ClaimedExecution c = claim(1).get(0);
        assertThat(c.id()).isEqualTo(child);
        return c.lease();
    }

    @Test
    void aChildThatSucceedsMakesItsParentWaitingForChildrenDueAtOnce() {
        long parent = parentWaitingForChildren(Duration.ofHours(1));
        long child = submit(request().withIdempotencyKey(ChildKeys.itemKey(parent, "ship", 2, 1)));
        ClaimedExecution c = claim(1).get(0);
        assertThat(c.id()).isEqualTo(child);
        assertThat(claim(1)).as("the parent waits while its child runs").isEmpty();

        store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "{}", List.of())));

        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(parent);
        assertThat(events(parent)).containsExactly("claimed", "waiting", "claimed");
    }

    @Test
    void aChildThatFailsOrIsCancelledWakesItsParentToo() {
        long parent = parentWaitingForChildren(Duration.ofHours(1));
        LeaseRef failing = runningChild(parent, "a");
        long queued =
                submit(request().withIdempotencyKey(ChildKeys.key(parent, "b")).withDelay(Duration.ofHours(2)));

        store.executionCompleteMany(List.of(Completions.fail(failing, "boom", false, Duration.ZERO, List.of())));
        ClaimedExecution again = claim(1).get(0);
        assertThat(again.id()).isEqualTo(parent);
        store.executionCompleteMany(
                List.of(Completions.awaitChildren(again.lease(), "waiting for child", Duration.ofHours(1))));
        assertThat(claim(1)).isEmpty();

        assertThat(store.executionCancel(queued, "not needed", "alice")).isEqualTo(CancelResult.CANCELLED);
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(parent);
    }

    @Test
    void aChildEndingWhileItsParentRunsMakesTheParentsNextWaitForChildrenEndAtOnce() {
        long parent = submit(request());
        ClaimedExecution p = claim(1).get(0);
        LeaseRef child = runningChild(parent, "ship");
        store.executionCompleteMany(List.of(Completions.succeed(child, "{}", List.of())));
        assertThat(get(parent).state()).isEqualTo(ExecutionState.RUNNING);

        // The parent's look read the child before it ended, so it asks to wait.
        store.executionCompleteMany(
                List.of(Completions.awaitChildren(p.lease(), "waiting for child", Duration.ofHours(1))));

        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(parent);
    }

    @Test
    void aChildsEndNeverCutsADelayShortNorAWaitThatBeganAfterIt() {
        long parent = submit(request());
        ClaimedExecution p = claim(1).get(0);
        LeaseRef child = runningChild(parent, "ship");
        store.executionCompleteMany(List.of(Completions.succeed(child, "{}", List.of())));
        // A delay node's wait ends when the delay does, whatever a child did meanwhile.
        store.executionCompleteMany(
                List.of(Completions.release(p.lease(), "waiting for node wait", Duration.ofHours(1), List.of())));
        assertThat(claim(1)).isEmpty();

        long second = submit(request());
        ClaimedExecution q = claim(1).get(0);
        assertThat(q.id()).isEqualTo(second);
        store.executionCompleteMany(
                List.of(Completions.release(q.lease(), "waiting for node wait", Duration.ofHours(1), List.of())));
        LeaseRef late = runningChild(second, "ship");
        store.executionCompleteMany(List.of(Completions.succeed(late, "{}", List.of())));
        assertThat(claim(1)).as("a parent parked for a delay is not woken").isEmpty();

        // A wait for children that begins after a child ended (in an earlier attempt) is not cut short.
        long third = parentWaitingForChildren(Duration.ofHours(1));
        LeaseRef early = runningChild(third, "a");
        store.executionCompleteMany(List.of(Completions.succeed(early, "{}", List.of())));
        ClaimedExecution r = claim(1).get(0);
        assertThat(r.id()).isEqualTo(third);
        store.executionCompleteMany(
                List.of(Completions.awaitChildren(r.lease(), "waiting for child", Duration.ofHours(1))));
        assertThat(claim(1)).isEmpty();
    }

    @Test
    void aChildsEndDoesNotCutAParentsRetryBackoffShort() {
        long parent = parentWaitingForChildren(Duration.ofHours(1));
        LeaseRef a = runningChild(parent, "a");
        LeaseRef b = runningChild(parent, "b");
        store.executionCompleteMany(List.of(Completions.succeed(a, "{}", List.of())));
        ClaimedExecution p = claim(1).get(0);
        assertThat(p.id()).isEqualTo(parent);
        store.executionCompleteMany(List.of(Completions.fail(p.lease(), "boom", true, Duration.ofHours(1), List.of())));
        assertThat(claim(1)).isEmpty();

        store.executionCompleteMany(List.of(Completions.succeed(b, "{}", List.of())));

        assertThat(claim(1)).as("the retry's backoff is kept").isEmpty();
    }

    @Test
    void aChildsEndDoesNotWakeAParentParkedForSignals() {
        long parent = parentWaitingForChildren(Duration.ofHours(1));
        LeaseRef a = runningChild(parent, "a");
        LeaseRef b = runningChild(parent, "b");
        store.executionCompleteMany(List.of(Completions.succeed(a, "{}", List.of())));
        ClaimedExecution p = claim(1).get(0);
        assertThat(p.id()).isEqualTo(parent);
        store.executionCompleteMany(List.of(Completions.awaitSignal(
                p.lease(),
                "waiting for signal 'approve'",
                List.of(new SignalWait("gate", "approve", null)),
                List.of())));
        assertThat(claim(1)).isEmpty();

        store.executionCompleteMany(List.of(Completions.succeed(b, "{}", List.of())));

        assertThat(claim(1)).as("parked until its signal comes").isEmpty();
        assertThat(get(parent).lastEvent()).isEqualTo("awaiting_signal");
    }

    @Test
    void aReleaseWithoutDelayKeepsTheParentsPlaceThoughAChildEndedWhileItRan() {
        long parent = submit(request());
        ClaimedExecution p = claim(1).get(0);
        LeaseRef child = runningChild(parent, "ship");
        passTime(Duration.ofMillis(20));
        long later = submit(request());
        passTime(Duration.ofMillis(20));
        store.executionCompleteMany(List.of(Completions.succeed(child, "{}", List.of())));
        store.executionCompleteMany(
                List.of(Completions.release(p.lease(), "worker shutting down", Duration.ZERO, List.of())));

        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(parent);
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(later);
    }

    @Test
    void aKeyThatOnlyLooksLikeAChildsWakesNothingAndFailsNothing() {
        long waiting = parentWaitingForChildren(Duration.ofHours(1));
        for (String key : List.of(
                "child:",
                "child:abc:x",
                "child:" + waiting,
                "child:99999999999999999999:x",
                "child:" + (waiting + 1000) + ":x",
                "CHILD:" + waiting + ":x")) {
            long id = submit(request().withIdempotencyKey(key));
            ClaimedExecution c = claim(1).get(0);
            assertThat(c.id()).isEqualTo(id);
            store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "{}", List.of())));
            assertThat(get(id).state()).as(key).isEqualTo(ExecutionState.SUCCEEDED);
        }
        assertThat(claim(1)).isEmpty();
    }
}
