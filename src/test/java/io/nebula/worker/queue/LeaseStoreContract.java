package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link LeaseStore} must have: claims, heartbeats, checkpoints and the ends of
 * an attempt, each fenced by its lease. The database stores run it as part of {@link
 * ExecutionStoreContract}; the in-memory store runs it alone ({@code InMemoryLeaseStoreTest}). The
 * store under test is reached through the hooks below, which is all this half of the contract
 * needs to set executions up and look at them.
 */
public abstract class LeaseStoreContract {
    protected static final String WORKER = "worker-a";
    protected static final Duration LEASE = Duration.ofMinutes(5);
    protected static final WorkflowDocument WORKFLOW = new WorkflowDocument("hash-1", "wf", "{\"name\":\"wf\"}");

    /** The store under test. */
    protected abstract LeaseStore leases();

    /** Enqueues an execution (the definition {@link #WORKFLOW} is stored) and returns its id. */
    protected abstract long submit(SubmitRequest r);

    /** The execution with this id, which exists. */
    protected abstract ExecutionView get(long id);

    /** The history of an execution, oldest first. */
    protected abstract List<HistoryEntry> history(long id);

    /** The node results of an execution, those of a success included. */
    protected abstract List<NodeResult> nodes(long id);

    /**
     * Asks for an execution to stop as an operator does, credited to {@code by}; whether the
     * request stands (the execution is running).
     */
    protected abstract boolean requestCancel(long id, String reason, String by);

    /** The store's clock. */
    protected abstract Instant now();

    /** Returns once at least {@code d} has passed on the store's clock. */
    protected abstract void passTime(Duration d);

    protected static SubmitRequest request() {
        return SubmitRequest.now("default", WORKFLOW.hash(), WORKFLOW.name(), "{}", 3);
    }

    protected List<ClaimedExecution> claim(int n) {
        return claim(leases(), WORKER, n, LEASE);
    }

    protected static List<ClaimedExecution> claim(LeaseStore s, String worker, int n, Duration lease) {
        return s.executionClaim(new ClaimRequest(worker, List.of("default"), n, lease));
    }

    protected List<String> events(long id) {
        return history(id).stream().map(HistoryEntry::event).toList();
    }

    // ---- claims, heartbeats, checkpoints, the ends of an attempt ---------------------------------

    @Test
    void claimsInPriorityThenRunAtThenIdOrder() {
        long low = submit(request().withPriority(5));
        long first = submit(request());
        long second = submit(request());
        long urgent = submit(request().withPriority(-1));
        long older = submit(request().withRunAt(now().minusSeconds(60)));

        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(urgent);
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(older);
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(first);
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(second);
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(low);
        assertThat(claim(1)).isEmpty();
    }

    @Test
    void claimRespectsTheLimitAndSetsLeaseFields() {
        for (int i = 0; i < 5; i++) {
            submit(request());
        }

        List<ClaimedExecution> c = claim(3);

        assertThat(c).hasSize(3);
        for (ClaimedExecution e : c) {
            assertThat(e.attempt()).isEqualTo(1);
            assertThat(e.leaseEpoch()).isEqualTo(1);
            assertThat(e.resumable()).isFalse();
            ExecutionView v = get(e.id());
            assertThat(v.state()).isEqualTo(ExecutionState.RUNNING);
            assertThat(v.leaseOwner()).isEqualTo(WORKER);
            assertThat(v.leaseExpiresAt()).isAfter(v.now().plus(LEASE).minusSeconds(5));
            assertThat(events(e.id())).containsExactly("claimed");
        }
        assertThat(claim(10)).hasSize(2);
        assertThat(claim(10)).isEmpty();
    }

    @Test
    void claimWithZeroLimitOrNoQueuesClaimsNothing() {
        submit(request());
        assertThat(claim(0)).isEmpty();
        assertThat(leases().executionClaim(new ClaimRequest(WORKER, List.of(), 5, LEASE)))
                .isEmpty();
        assertThat(leases().executionClaim(new ClaimRequest(WORKER, List.of("other"), 5, LEASE)))
                .isEmpty();
        assertThat(claim(5)).hasSize(1);
    }

    @Test
    void delayedAndScheduledExecutionsWaitUntilDue() {
        long delayed = submit(request().withDelay(Duration.ofHours(1)));
        long future = submit(request().withRunAt(now().plus(Duration.ofHours(1))));
        long shortDelay = submit(request().withDelay(Duration.ofMillis(300)));

        assertThat(claim(10)).isEmpty();
        assertThat(get(delayed).runAt()).isAfter(get(delayed).now().plus(Duration.ofMinutes(59)));
        assertThat(get(future).state()).isEqualTo(ExecutionState.AVAILABLE);

        passTime(Duration.ofMillis(300));
        assertThat(claim(10)).extracting(ClaimedExecution::id).containsExactly(shortDelay);
        assertThat(get(shortDelay).state()).isEqualTo(ExecutionState.RUNNING);
        assertThat(get(delayed).state()).isEqualTo(ExecutionState.AVAILABLE);
    }

    @Test
    void stringsRoundTripByteForByte() {
        String input =
                "{\"sql\":\"'; DROP TABLE executions; --\",\"tpl\":\"${{ env.SECRET }}\",\"u\":\"h\u00e9llo \uD83D\uDE00 \u4e2d\"}";
        long id = submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", input, 1));
        ClaimedExecution c = claim(1).get(0);
        assertThat(c.inputJson()).isEqualTo(input);
        List<CompletionResult> r =
                leases().executionCompleteMany(List.of(Completions.succeed(c.lease(), input, List.of())));
        assertThat(r.get(0).applied()).isTrue();
        assertThat(get(id).outputJson()).isEqualTo(input);
    }

    @Test
    void heartbeatExtendsHeldLeasesAndReportsLostOnes() {
        submit(request());
        submit(request());
        List<ClaimedExecution> c = claim(2);
        LeaseRef good = c.get(0).lease();
        LeaseRef stale = new LeaseRef(c.get(1).id(), c.get(1).leaseEpoch() + 7);

        HeartbeatResult hb = leases().leaseHeartbeat(WORKER, List.of(good, stale), Duration.ofHours(2), 2);

        assertThat(hb.extended()).containsExactly(good.executionId());
        assertThat(get(good.executionId()).leaseExpiresAt())
                .isAfter(get(good.executionId()).now().plus(Duration.ofMinutes(100)));
        assertThat(events(good.executionId())).containsExactly("claimed");
    }

    @Test
    void checkpointsAreInsertOnceAndLoadedOnResume() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        NodeResult a = new NodeResult("a", NodeStatus.SUCCEEDED, "{\"x\":1}", null, 1, Instant.now(), Instant.now());
        NodeResult skipped = new NodeResult("b", NodeStatus.SKIPPED, null, null, 1, Instant.now(), Instant.now());

        assertThat(leases().nodeCheckpointMany(List.of(
                        new LeaseStore.Checkpoint(c.lease(), a), new LeaseStore.Checkpoint(c.lease(), skipped))))
                .containsExactly(true, true);
        NodeResult again =
                new NodeResult("a", NodeStatus.SUCCEEDED, "{\"x\":2}", null, 1, Instant.now(), Instant.now());
        assertThat(leases().nodeCheckpointMany(List.of(new LeaseStore.Checkpoint(c.lease(), again))))
                .containsExactly(true);

        Map<Long, List<NodeResult>> loaded = leases().nodeResultsLoad(List.of(id));
        assertThat(loaded.get(id)).extracting(NodeResult::nodeId).containsExactlyInAnyOrder("a", "b");
        assertThat(loaded.get(id).stream()
                        .filter(n -> n.nodeId().equals("a"))
                        .findFirst()
                        .orElseThrow()
                        .outputJson())
                .isEqualToIgnoringWhitespace("{\"x\":1}");
        assertThat(nodes(id)).hasSize(2);
    }

    @Test
    void aNodeThatSucceedsOnRetryReplacesItsFailedCheckpoint() {
        long id = submit(request());
        ClaimedExecution c1 = claim(1).get(0);
        NodeResult failed =
                new NodeResult("flaky", NodeStatus.FAILED, null, "transient", 1, Instant.now(), Instant.now());
        leases().executionCompleteMany(
                        List.of(Completions.fail(c1.lease(), "transient", true, Duration.ZERO, List.of(failed))));
        ClaimedExecution c2 = claim(1).get(0);
        NodeResult ok =
                new NodeResult("flaky", NodeStatus.SUCCEEDED, "{\"ok\":true}", null, 2, Instant.now(), Instant.now());

        assertThat(leases().nodeCheckpointMany(List.of(new LeaseStore.Checkpoint(c2.lease(), ok))))
                .containsExactly(true);

        // A later attempt (after a crash, say) must see the success, or it would run the node again.
        assertThat(leases().nodeResultsLoad(List.of(id)).get(id))
                .singleElement()
                .satisfies(n -> {
                    assertThat(n.status()).isEqualTo(NodeStatus.SUCCEEDED);
                    assertThat(n.attempt()).isEqualTo(2);
                    assertThat(n.outputJson()).isEqualToIgnoringWhitespace("{\"ok\":true}");
                });
        // A success is still written once: a resent or late result does not replace it.
        NodeResult late = new NodeResult("flaky", NodeStatus.FAILED, null, "late", 2, Instant.now(), Instant.now());
        assertThat(leases().nodeCheckpointMany(List.of(new LeaseStore.Checkpoint(c2.lease(), late))))
                .containsExactly(true);
        assertThat(nodes(id)).extracting(NodeResult::status).containsExactly(NodeStatus.SUCCEEDED);
    }

    @Test
    void aFirstAttemptsCheckpointKeepsTheTriesOfANodeThatNeededMoreThanOne() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
        NodeResult prep = new NodeResult("prep", NodeStatus.SUCCEEDED, "1", null, 1, t0, t0);
        NodeResult pay = new NodeResult(
                "pay",
                NodeStatus.SUCCEEDED,
                "{}",
                null,
                1,
                t0,
                t0.plusSeconds(2),
                List.of(new NodeTry(1, 1, t0, t0.plusMillis(5), "HTTP 503 from https://pay.example")));

        assertThat(leases().nodeCheckpointMany(List.of(
                        new LeaseStore.Checkpoint(c.lease(), prep), new LeaseStore.Checkpoint(c.lease(), pay))))
                .containsExactly(true, true);

        Map<String, NodeResult> listed = new HashMap<>();
        nodes(id).forEach(n -> listed.put(n.nodeId(), n));
        assertThat(listed).containsOnlyKeys("prep", "pay");
        assertThat(listed.get("prep").tries()).isEmpty();
        assertThat(listed.get("pay").tries())
                .singleElement()
                .satisfies(t -> assertThat(t.error()).isEqualTo("HTTP 503 from https://pay.example"));
        assertThat(leases().nodeResultsLoad(List.of(id)).get(id))
                .extracting(NodeResult::nodeId)
                .containsExactlyInAnyOrder("prep", "pay");
    }

    @Test
    void failedTriesAccumulateAcrossAttemptsAndAFirstTrySuccessRecordsNone() {
        long id = submit(request());
        ClaimedExecution c1 = claim(1).get(0);
        Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
        List<NodeTry> firstAttempt = List.of(
                new NodeTry(1, 1, t0, t0.plusMillis(5), "HTTP 503 from https://pay.example: busy"),
                new NodeTry(1, 2, t0.plusSeconds(1), t0.plusSeconds(2), "timed out after 1s"));
        NodeResult failed = new NodeResult(
                "pay",
                NodeStatus.FAILED,
                null,
                "node 'pay' failed after 2 attempts",
                1,
                t0,
                t0.plusSeconds(2),
                firstAttempt);
        NodeResult once = new NodeResult("prep", NodeStatus.SUCCEEDED, "1", null, 1, t0, t0);
        assertThat(leases().nodeCheckpointMany(List.of(new LeaseStore.Checkpoint(c1.lease(), once))))
                .containsExactly(true);
        leases().executionCompleteMany(
                        List.of(Completions.fail(c1.lease(), "x", true, Duration.ZERO, List.of(failed))));
        ClaimedExecution c2 = claim(1).get(0);
        NodeTry secondAttemptFailure =
                new NodeTry(2, 1, t0.plusSeconds(10), t0.plusSeconds(11), "HTTP 502 from https://pay.example");
        NodeResult ok = new NodeResult(
                "pay",
                NodeStatus.SUCCEEDED,
                "{}",
                null,
                2,
                t0.plusSeconds(10),
                t0.plusSeconds(12),
                List.of(secondAttemptFailure));

        assertThat(leases().nodeCheckpointMany(List.of(new LeaseStore.Checkpoint(c2.lease(), ok))))
                .containsExactly(true);
        // Sent again (a retried write): the success is final and its tries are not doubled.
        assertThat(leases().nodeCheckpointMany(List.of(new LeaseStore.Checkpoint(c2.lease(), ok))))
                .containsExactly(true);

        Map<String, NodeResult> nodes = new java.util.HashMap<>();
        nodes(id).forEach(n -> nodes.put(n.nodeId(), n));
        assertThat(nodes.get("prep").tries()).isEmpty();
        assertThat(nodes.get("prep").lastTry()).isEqualTo(1);
        assertThat(nodes.get("pay").tries())
                .containsExactly(firstAttempt.get(0), firstAttempt.get(1), secondAttemptFailure);
        assertThat(nodes.get("pay").lastTry()).isEqualTo(2);
    }

    @Test
    void aSuccessKeepsTheFailedTriesOfItsLastNodesAcrossAttempts() {
        long id = submit(request());
        Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
        ClaimedExecution c1 = claim(1).get(0);
        NodeTry first = new NodeTry(1, 1, t0, t0.plusMillis(5), "HTTP 503");
        leases().executionCompleteMany(List.of(Completions.fail(
                c1.lease(),
                "x",
                true,
                Duration.ZERO,
                List.of(new NodeResult("pay", NodeStatus.FAILED, null, "x", 1, t0, t0, List.of(first))))));
        ClaimedExecution c2 = claim(1).get(0);
        NodeTry second = new NodeTry(2, 1, t0.plusSeconds(9), t0.plusSeconds(10), "timed out after 1s");
        NodeResult ok = new NodeResult(
                "pay", NodeStatus.SUCCEEDED, "{}", null, 2, t0.plusSeconds(9), t0.plusSeconds(11), List.of(second));
        NodeResult clean = new NodeResult("note", NodeStatus.SUCCEEDED, "1", null, 2, t0, t0);

        leases().executionCompleteMany(List.of(Completions.succeed(c2.lease(), "{}", List.of(ok, clean))));

        Map<String, NodeResult> nodes = new java.util.HashMap<>();
        nodes(id).forEach(n -> nodes.put(n.nodeId(), n));
        assertThat(nodes.get("pay").status()).isEqualTo(NodeStatus.SUCCEEDED);
        assertThat(nodes.get("pay").tries()).containsExactly(first, second);
        assertThat(nodes.get("pay").lastTry()).isEqualTo(2);
        assertThat(nodes.get("note").tries()).isEmpty();
    }

    @Test
    void aNodeThatFailsAgainKeepsTheNewestError() {
        long id = submit(request());
        ClaimedExecution c1 = claim(1).get(0);
        NodeResult first = new NodeResult("flaky", NodeStatus.FAILED, null, "first", 1, Instant.now(), Instant.now());
        leases().executionCompleteMany(
                        List.of(Completions.fail(c1.lease(), "first", true, Duration.ZERO, List.of(first))));
        ClaimedExecution c2 = claim(1).get(0);
        NodeResult second = new NodeResult("flaky", NodeStatus.FAILED, null, "second", 2, Instant.now(), Instant.now());
        leases().executionCompleteMany(
                        List.of(Completions.fail(c2.lease(), "second", true, Duration.ZERO, List.of(second))));

        assertThat(nodes(id)).singleElement().satisfies(n -> {
            assertThat(n.error()).isEqualTo("second");
            assertThat(n.attempt()).isEqualTo(2);
        });
    }

    @Test
    void succeedStoresOutputAndFinalNodesAtomically() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        NodeResult last =
                new NodeResult("only", NodeStatus.SUCCEEDED, "{\"ok\":true}", null, 1, Instant.now(), Instant.now());

        List<CompletionResult> r = leases().executionCompleteMany(
                        List.of(Completions.succeed(c.lease(), "{\"result\":1}", List.of(last))));

        assertThat(r).containsExactly(new CompletionResult(c.lease(), true, ExecutionState.SUCCEEDED));
        ExecutionView v = get(id);
        assertThat(v.state()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(v.outputJson()).isEqualToIgnoringWhitespace("{\"result\":1}");
        assertThat(v.finishedAt()).isNotNull();
        assertThat(nodes(id)).extracting(NodeResult::nodeId).containsExactly("only");
        assertThat(events(id)).containsExactly("claimed", "succeeded");
        // A terminal state never changes: a second completion with the same lease writes nothing.
        assertThat(leases().executionCompleteMany(List.of(Completions.fail(c.lease(), "late", false, null, List.of()))))
                .containsExactly(CompletionResult.lost(c.lease()));
        assertThat(get(id).state()).isEqualTo(ExecutionState.SUCCEEDED);
    }

    @Test
    void aCheckpointAfterTheLeaseExpiredIsRefusedEvenBeforeARescue() {
        submit(request());
        ClaimedExecution c = claim(leases(), WORKER, 1, Duration.ofMillis(200)).get(0);
        passTime(Duration.ofMillis(300));
        NodeResult late = new NodeResult("n", NodeStatus.SUCCEEDED, "1", null, 1, Instant.now(), Instant.now());

        assertThat(leases().nodeCheckpointMany(List.of(new LeaseStore.Checkpoint(c.lease(), late))))
                .containsExactly(false);
        assertThat(nodes(c.id())).isEmpty();
    }

    @Test
    void theLastNodesOfASuccessSupersedeAFailedCheckpointOfTheSameNode() {
        long id = submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 3));
        ClaimedExecution c1 = claim(1).get(0);
        NodeResult failed = new NodeResult("pay", NodeStatus.FAILED, null, "503", 1, Instant.now(), Instant.now());
        leases().executionCompleteMany(
                        List.of(Completions.fail(c1.lease(), "503", true, Duration.ZERO, List.of(failed))));
        ClaimedExecution c2 = claim(1).get(0);
        NodeResult first =
                new NodeResult("a", NodeStatus.SUCCEEDED, "{\"n\":1}", null, 2, Instant.now(), Instant.now());
        NodeResult paid =
                new NodeResult("pay", NodeStatus.SUCCEEDED, "\"<ok> \\\"quoted\\\"\"", null, 2, Instant.now(), null);
        NodeResult skipped = new NodeResult("refund", NodeStatus.SKIPPED, null, null, 2, null, null);

        leases().executionCompleteMany(List.of(Completions.succeed(c2.lease(), "{}", List.of(first, paid, skipped))));

        assertThat(nodes(id))
                .extracting(NodeResult::nodeId, NodeResult::status, NodeResult::outputJson, NodeResult::attempt)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("a", NodeStatus.SUCCEEDED, "{\"n\":1}", 2),
                        org.assertj.core.groups.Tuple.tuple("pay", NodeStatus.SUCCEEDED, "\"<ok> \\\"quoted\\\"\"", 2),
                        org.assertj.core.groups.Tuple.tuple("refund", NodeStatus.SKIPPED, null, 2));
        assertThat(nodes(id))
                .filteredOn(n -> n.nodeId().equals("pay"))
                .singleElement()
                .satisfies(n -> assertThat(n.finishedAt()).isNull());
    }

    @Test
    void aSuccessThatACancelOvertookKeepsItsNodesForARetry() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        assertThat(requestCancel(id, "stop", "alice@laptop")).isTrue();
        NodeResult done = new NodeResult("only", NodeStatus.SUCCEEDED, "1", null, 1, Instant.now(), Instant.now());

        assertThat(leases().executionCompleteMany(List.of(Completions.succeed(c.lease(), "1", List.of(done)))))
                .extracting(CompletionResult::state)
                .containsExactly(ExecutionState.CANCELLED);

        assertThat(leases().nodeResultsLoad(List.of(id)).get(id))
                .extracting(NodeResult::nodeId)
                .containsExactly("only");
        assertThat(events(id)).containsExactly("claimed", "cancel_requested", "cancelled");
    }

    @Test
    void inASuccessBatchOnlyTheAttemptACancelOvertookEndsCancelledWithItsNodesKept() {
        long overtaken = submit(request());
        long other = submit(request());
        Map<Long, ClaimedExecution> byId = new HashMap<>();
        claim(2).forEach(c -> byId.put(c.lease().executionId(), c));
        assertThat(requestCancel(overtaken, "stop", "alice@laptop")).isTrue();
        Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
        NodeTry retried = new NodeTry(1, 1, t0, t0.plusMillis(5), "HTTP 503");
        NodeResult a = new NodeResult("a", NodeStatus.SUCCEEDED, "1", null, 1, t0, t0.plusSeconds(1), List.of(retried));
        NodeResult b = new NodeResult("b", NodeStatus.SUCCEEDED, "2", null, 1, Instant.now(), Instant.now());

        List<CompletionResult> results = leases().executionCompleteMany(List.of(
                Completions.succeed(byId.get(other).lease(), "2", List.of(b)),
                Completions.succeed(byId.get(overtaken).lease(), "1", List.of(a))));

        assertThat(results)
                .extracting(r -> r.lease().executionId(), CompletionResult::state)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(other, ExecutionState.SUCCEEDED),
                        org.assertj.core.groups.Tuple.tuple(overtaken, ExecutionState.CANCELLED));
        assertThat(leases().nodeResultsLoad(List.of(overtaken)).get(overtaken))
                .extracting(NodeResult::nodeId, NodeResult::outputJson)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "1"));
        assertThat(nodes(overtaken))
                .singleElement()
                .satisfies(n -> assertThat(n.tries()).containsExactly(retried));
        assertThat(events(other)).containsExactly("claimed", "succeeded");
    }

    /**
     * An attempt that lost its lease and the next attempt of the same execution can both finish on
     * one worker and reach the store in one batch; each write is answered by its own lease.
     */
    @Test
    void aBatchWithAStaleAndTheCurrentLeaseOfOneExecutionAnswersEachByItsOwnLease() {
        long id = submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 3));
        ClaimedExecution stale = claim(1).get(0);
        leases().executionCompleteMany(List.of(Completions.release(stale.lease(), "bye", Duration.ZERO, List.of())));
        ClaimedExecution current = claim(1).get(0);
        assertThat(current.lease().executionId()).isEqualTo(id);
        NodeResult a = new NodeResult("a", NodeStatus.SUCCEEDED, "1", null, 1, Instant.now(), Instant.now());
        NodeResult b = new NodeResult("b", NodeStatus.SUCCEEDED, "2", null, 1, Instant.now(), Instant.now());

        List<Boolean> fenced = leases().nodeCheckpointMany(List.of(
                new LeaseStore.Checkpoint(stale.lease(), a),
                new LeaseStore.Checkpoint(current.lease(), a),
                new LeaseStore.Checkpoint(current.lease(), b)));
        List<NodeResult> kept = leases().nodeResultsLoad(List.of(id)).get(id);
        List<CompletionResult> ended = leases().executionCompleteMany(List.of(
                Completions.succeed(stale.lease(), "1", List.of()),
                Completions.succeed(current.lease(), "2", List.of())));

        assertThat(fenced).containsExactly(false, true, true);
        assertThat(kept).extracting(NodeResult::nodeId).containsExactlyInAnyOrder("a", "b");
        assertThat(ended).extracting(CompletionResult::applied).containsExactly(false, true);
        assertThat(events(id)).containsExactly("claimed", "released", "claimed", "succeeded");
    }

    @Test
    void aCheckpointBatchWithOneLeaseSplitAroundAnotherAnswersEveryResultByItsOwnLease() {
        long x = submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 3));
        long z = submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 3));
        List<ClaimedExecution> claimed = claim(2);
        ClaimedExecution cx = claimed.get(0);
        ClaimedExecution cz = claimed.get(1);
        assertThat(List.of(cx.id(), cz.id())).containsExactly(x, z);
        leases().executionCompleteMany(List.of(Completions.release(cz.lease(), "bye", Duration.ZERO, List.of())));
        NodeResult a = new NodeResult("a", NodeStatus.SUCCEEDED, "1", null, 1, Instant.now(), Instant.now());
        NodeResult b = new NodeResult("b", NodeStatus.SUCCEEDED, "2", null, 1, Instant.now(), Instant.now());

        List<Boolean> fenced = leases().nodeCheckpointMany(List.of(
                new LeaseStore.Checkpoint(cx.lease(), a),
                new LeaseStore.Checkpoint(cz.lease(), a),
                new LeaseStore.Checkpoint(cx.lease(), b),
                new LeaseStore.Checkpoint(cz.lease(), b)));
        Map<Long, List<NodeResult>> kept = leases().nodeResultsLoad(List.of(x, z));

        assertThat(fenced).containsExactly(true, false, true, false);
        assertThat(kept.get(x)).extracting(NodeResult::nodeId).containsExactlyInAnyOrder("a", "b");
        assertThat(kept.get(z)).isNullOrEmpty();
    }

    @Test
    void derivedTransitionsCarryTheAttemptTheirWorkerAndTheirTimesInOrder() {
        long id = submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 3));
        ClaimedExecution c1 = claim(1).get(0);
        leases().executionCompleteMany(List.of(Completions.release(c1.lease(), "bye", Duration.ZERO, List.of())));
        ClaimedExecution c2 = leases().executionClaim(
                        new ClaimRequest("w2", List.of("default"), 1, Duration.ofMinutes(1)))
                .get(0);
        List<HistoryEntry> running = history(id);
        leases().executionCompleteMany(List.of(Completions.succeed(c2.lease(), "{}", List.of())));

        assertThat(running).extracting(HistoryEntry::event).containsExactly("claimed", "released", "claimed");
        List<HistoryEntry> h = history(id);
        assertThat(h)
                .extracting(HistoryEntry::event, HistoryEntry::leaseEpoch, HistoryEntry::workerId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("claimed", 1L, WORKER),
                        org.assertj.core.groups.Tuple.tuple("released", 1L, WORKER),
                        org.assertj.core.groups.Tuple.tuple("claimed", 2L, "w2"),
                        org.assertj.core.groups.Tuple.tuple("succeeded", 2L, "w2"));
        assertThat(h.get(3).fromState()).isEqualTo("running");
        assertThat(h.get(3).toState()).isEqualTo("succeeded");
        for (int i = 1; i < h.size(); i++) {
            assertThat(h.get(i).at()).isAfterOrEqualTo(h.get(i - 1).at());
        }
    }

    @Test
    void aCompletionSentAgainAfterItCommittedIsReportedApplied() {
        // A connection that breaks while a completion commits leaves its sender unsure, so it sends
        // the completion again. The resend matches no running row, yet the first one took effect:
        // reporting it lost would make the worker log a lease loss and count no success.
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        Completion done = Completions.succeed(c.lease(), "\"ok\"", List.of());
        leases().executionCompleteMany(List.of(done));

        assertThat(leases().executionCompleteMany(List.of(done)))
                .containsExactly(new CompletionResult(c.lease(), true, ExecutionState.SUCCEEDED));
        assertThat(events(id)).containsExactly("claimed", "succeeded");
        assertThat(get(id).outputJson()).isEqualTo("\"ok\"");

        long retried = submit(request());
        ClaimedExecution r = claim(1).get(0);
        Completion flaky = Completions.fail(r.lease(), "flaky", true, Duration.ZERO, List.of());
        leases().executionCompleteMany(List.of(flaky));
        claim(1);
        assertThat(leases().executionCompleteMany(List.of(flaky)))
                .containsExactly(new CompletionResult(r.lease(), true, ExecutionState.AVAILABLE));
        assertThat(events(retried)).containsExactly("claimed", "retry_scheduled", "claimed");
    }

    @Test
    void aResentCompletionMatchesOnlyWhatItsOwnKindRecords() {
        // A shutdown release sent again is reported applied, with the note naming the worker.
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        Completion shutdown =
                new Completion(c.lease(), new RunOutcome.Stopped(StopReason.SHUTDOWN, List.of()), null, "w-stop");
        leases().executionCompleteMany(List.of(shutdown));
        assertThat(leases().executionCompleteMany(List.of(shutdown)))
                .containsExactly(new CompletionResult(c.lease(), true, ExecutionState.AVAILABLE));
        assertThat(history(id))
                .extracting(HistoryEntry::event, HistoryEntry::detail)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("claimed", null),
                        org.assertj.core.groups.Tuple.tuple("released", "released by worker w-stop shutting down"));

        // An attempt that succeeded did not end the way a failure, a release or a cancel asks.
        ClaimedExecution d = claim(1).get(0);
        leases().executionCompleteMany(List.of(Completions.succeed(d.lease(), "\"ok\"", List.of())));
        assertThat(leases().executionCompleteMany(List.of(
                        Completions.fail(d.lease(), "late", true, Duration.ZERO, List.of()),
                        Completions.release(d.lease(), "late", Duration.ZERO, List.of()),
                        Completions.cancel(d.lease(), List.of()))))
                .noneMatch(CompletionResult::applied);
        assertThat(get(id).state()).isEqualTo(ExecutionState.SUCCEEDED);
    }

    @Test
    void aRetryableFailureOfTheOnlyAttemptAllowedSaysOneAttempt() {
        long id = submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 1));
        ClaimedExecution c = claim(1).get(0);
        leases().executionCompleteMany(List.of(Completions.fail(c.lease(), "boom", true, Duration.ZERO, List.of())));

        assertThat(get(id).state()).isEqualTo(ExecutionState.FAILED);
        assertThat(get(id).lastError()).isEqualTo("max retries exceeded after 1 attempt: boom");
    }

    @Test
    void retryableFailureRetriesUntilAttemptsAreUsedUp() {
        long id = submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 2));
        ClaimedExecution c1 = claim(1).get(0);
        assertThat(leases().executionCompleteMany(
                                List.of(Completions.fail(c1.lease(), "boom 1", true, Duration.ZERO, List.of()))))
                .extracting(CompletionResult::state)
                .containsExactly(ExecutionState.AVAILABLE);
        assertThat(get(id).lastError()).isEqualTo("boom 1");

        ClaimedExecution c2 = claim(1).get(0);
        assertThat(c2.attempt()).isEqualTo(2);
        assertThat(c2.leaseEpoch()).isEqualTo(2);
        assertThat(c2.resumable()).isTrue();
        leases().executionCompleteMany(List.of(Completions.fail(c2.lease(), "boom 2", true, Duration.ZERO, List.of())));

        ExecutionView v = get(id);
        assertThat(v.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(v.lastError()).isEqualTo("max retries exceeded after 2 attempts: boom 2");
        assertThat(history(id))
                .extracting(HistoryEntry::event, HistoryEntry::detail)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("claimed", null),
                        org.assertj.core.groups.Tuple.tuple("retry_scheduled", "boom 1"),
                        org.assertj.core.groups.Tuple.tuple("claimed", null),
                        org.assertj.core.groups.Tuple.tuple("failed", "max retries exceeded after 2 attempts: boom 2"));
    }

    @Test
    void theTraceContextStoredAtSubmitComesBackWithEveryClaim() {
        String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        long traced = submit(
                SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 2).withTraceparent(tp));
        long untraced = submit(SubmitRequest.now("default", WORKFLOW.hash(), "wf", "{}", 2));

        List<ClaimedExecution> first = claim(5);
        assertThat(first).extracting(ClaimedExecution::id).containsExactly(traced, untraced);
        assertThat(first.get(0).traceparent()).isEqualTo(tp);
        assertThat(first.get(1).traceparent()).isNull();
        leases().executionCompleteMany(
                        List.of(Completions.fail(first.get(0).lease(), "boom", true, Duration.ZERO, List.of())));
        ClaimedExecution again = claim(5).get(0);
        assertThat(again.id()).isEqualTo(traced);
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(again.traceparent()).as("the retry continues the same trace").isEqualTo(tp);
    }

    @Test
    void retryDelayKeepsTheExecutionWaiting() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        leases().executionCompleteMany(
                        List.of(Completions.fail(c.lease(), "later", true, Duration.ofHours(1), List.of())));
        assertThat(claim(1)).isEmpty();
        ExecutionView v = get(id);
        assertThat(v.runAt()).isAfter(v.now().plus(Duration.ofMinutes(59)));
    }

    @Test
    void permanentFailureFailsAtOnce() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        leases().executionCompleteMany(List.of(Completions.fail(c.lease(), "bad input", false, null, List.of())));
        assertThat(get(id).state()).isEqualTo(ExecutionState.FAILED);
        assertThat(get(id).lastError()).isEqualTo("bad input");
        assertThat(claim(1)).isEmpty();
    }

    @Test
    void releaseGivesTheAttemptBackAndKeepsCheckpoints() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        NodeResult done = new NodeResult("first", NodeStatus.SUCCEEDED, "1", null, 1, Instant.now(), Instant.now());
        leases().executionCompleteMany(
                        List.of(Completions.release(c.lease(), "worker shutting down", Duration.ZERO, List.of(done))));

        ExecutionView v = get(id);
        assertThat(v.state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(v.attempt()).isZero();
        ClaimedExecution again = claim(1).get(0);
        assertThat(again.attempt()).isEqualTo(1);
        assertThat(again.leaseEpoch()).isEqualTo(2);
        assertThat(again.resumable()).isTrue();
        assertThat(leases().nodeResultsLoad(List.of(id)).get(id))
                .extracting(NodeResult::nodeId)
                .containsExactly("first");
        assertThat(events(id)).containsExactly("claimed", "released", "claimed");
    }

    @Test
    void releaseWithDelayIsADurableWait() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        leases().executionCompleteMany(List.of(
                Completions.release(c.lease(), "waiting for node wait", Duration.ofHours(1), List.of())));
        assertThat(claim(1)).isEmpty();
        assertThat(events(id)).containsExactly("claimed", "waiting");
        assertThat(get(id).attempt()).isZero();
    }

    @Test
    void aReleasedExecutionKeepsItsPlaceInTheQueue() {
        long first = submit(request());
        ClaimedExecution c = claim(1).get(0);
        long second = submit(request());
        submit(request());
        leases().executionCompleteMany(
                        List.of(Completions.release(c.lease(), "worker shutting down", Duration.ZERO, List.of())));

        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(first);
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(second);
    }

    @Test
    void cancelOfARunningExecutionIsSeenByTheHolderAndBeatsALateSuccess() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        assertThat(requestCancel(id, "operator said stop", "alice@laptop")).isTrue();
        assertThat(leases().leaseHeartbeat(WORKER, List.of(c.lease()), LEASE, 1).cancelRequested())
                .containsExactly(id);

        List<CompletionResult> r =
                leases().executionCompleteMany(List.of(Completions.succeed(c.lease(), "\"late\"", List.of())));

        assertThat(r.get(0).state()).isEqualTo(ExecutionState.CANCELLED);
        assertThat(get(id).outputJson()).isNull();
        assertThat(events(id)).containsExactly("claimed", "cancel_requested", "cancelled");
    }

    @Test
    void cancelAcknowledgedByTheHolderKeepsTheRequestWithItsReasonCreditedToTheOperator() {
        long id = submit(request());
        ClaimedExecution c = claim(1).get(0);
        assertThat(requestCancel(id, "customer called", "alice@laptop")).isTrue();
        // Asking again records nothing more and credits no one else.
        assertThat(requestCancel(id, "again", "bob@desk")).isTrue();
        leases().executionCompleteMany(List.of(Completions.cancel(c.lease(), List.of())));

        assertThat(get(id).state()).isEqualTo(ExecutionState.CANCELLED);
        assertThat(history(id))
                .extracting(HistoryEntry::event, HistoryEntry::workerId, HistoryEntry::detail)
                .containsExactly(
                        org.assertj.core.api.Assertions.tuple("claimed", WORKER, null),
                        org.assertj.core.api.Assertions.tuple("cancel_requested", "alice@laptop", "customer called"),
                        org.assertj.core.api.Assertions.tuple("cancelled", WORKER, "cancelled on request"));
    }
}
