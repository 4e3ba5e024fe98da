package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.ChildKeys;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.Completions;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maintenance by the one leader: two pools on one SQLite file, each with its own store and
 * maintainer, stepped by hand.
 */
class MaintainerTest {
    @TempDir
    Path dir;

    /** Short leases, so the leader lease (three maintenance intervals and a second) is short too. */
    private PoolOptions options(String worker) {
        return PoolOptions.defaults(worker).withLeases(Duration.ofMillis(100), Duration.ofMillis(500));
    }

    /** Claims one execution as a worker that then dies: its lease lapses by the database clock. */
    private static long expiredLease(SteppedPool pool) {
        long id = pool.submit(1, "{}").getFirst();
        ClaimedExecution c = pool.claimAs("dead", 1, Duration.ofMillis(1)).getFirst();
        assertThat(c.id()).isEqualTo(id);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> pool.store.databaseNow().isAfter(pool.view(id).leaseExpiresAt()));
        return id;
    }

    @Test
    void aLeaderWhoseElectionCannotBeHeldStopsCallingItselfTheLeader() {
        try (SteppedPool a = new SteppedPool(dir, options("a"))) {
            Maintainer ma = new Maintainer(a.ctx, a.wakeup, ids -> {});
            ma.runOnce();
            assertThat(ma.isLeader()).isTrue();

            a.faultOn("leader");
            org.assertj.core.api.Assertions.assertThatThrownBy(ma::runOnce).isInstanceOf(RuntimeException.class);

            assertThat(ma.isLeader()).isFalse();
            assertThat(a.events.matching("leadership")).containsExactly("leadership gained", "leadership lost");
            a.faultOff("leader");
            ma.runOnce();
            assertThat(ma.isLeader()).isTrue();
        }
    }

    @Test
    void onlyTheLeaderRescuesExpiredLeases() {
        try (SteppedPool a = new SteppedPool(dir, options("a"));
                SteppedPool b = new SteppedPool(dir, options("b"))) {
            Maintainer ma = new Maintainer(a.ctx, a.wakeup, ids -> {});
            Maintainer mb = new Maintainer(b.ctx, b.wakeup, ids -> {});
            ma.runOnce();
            assertThat(ma.isLeader()).isTrue();
            long id = expiredLease(a);

            mb.runOnce();
            assertThat(mb.isLeader()).isFalse();
            mb.rescue();

            assertThat(a.state(id))
                    .as("a rescue by a process that is not the leader changes nothing")
                    .isEqualTo(ExecutionState.RUNNING);
            assertThat(b.events.matching("rescued")).isEmpty();

            ma.runOnce();

            assertThat(a.state(id)).isEqualTo(ExecutionState.AVAILABLE);
            assertThat(a.events.matching("rescued")).containsExactly("rescued 1");
            assertThat(a.events.matching("leadership")).containsExactly("leadership gained");
            assertThat(b.events.matching("leadership")).isEmpty();
        }
    }

    /** Submits an execution of a workflow whose one node starts a sub-workflow (node {@code down}). */
    private static long parent(SteppedPool pool) {
        WorkflowDocument wf = new WorkflowDocument(
                "parent-hash", "parent", "{\"nodes\":[{\"id\":\"down\",\"workflow\":\"wf-hash\"}]}");
        pool.store.workflowPut(wf);
        return pool.store
                .executionSubmitMany(List.of(SubmitRequest.now("default", wf.hash(), wf.name(), "{}", 1)))
                .getFirst()
                .executionId();
    }

    /** Submits the child that node {@code down} of {@code parent} started. */
    private static long child(SteppedPool pool, long parent) {
        return pool.store
                .executionSubmitMany(
                        List.of(SubmitRequest.now("default", SteppedPool.WF.hash(), SteppedPool.WF.name(), "{}", 3)
                                .withIdempotencyKey(ChildKeys.key(parent, "down"))))
                .getFirst()
                .executionId();
    }

    @Test
    void aParentARescueFailsHasItsUnfinishedChildrenCancelled() {
        try (SteppedPool a = new SteppedPool(dir, options("a"))) {
            Maintainer ma = new Maintainer(a.ctx, a.wakeup, SubWorkflows.cancelsChildrenOfEnded(a.ctx));
            long parent = parent(a);
            ClaimedExecution c = a.claimAs("dead", 1, Duration.ofMillis(1)).getFirst();
            assertThat(c.id()).isEqualTo(parent);
            long child = child(a, parent);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> a.store.databaseNow().isAfter(a.view(parent).leaseExpiresAt()));

            ma.runOnce();

            assertThat(a.state(parent)).as("its only attempt's lease expired").isEqualTo(ExecutionState.FAILED);
            await().atMost(Duration.ofSeconds(30)).until(() -> a.state(child) == ExecutionState.CANCELLED);
            assertThat(a.store.historyList(child))
                    .anySatisfy(h -> assertThat(h.detail()).isEqualTo("parent execution " + parent + " failed"));
        }
    }

    /** {@code n} maintenance ticks, each waiting for the walk of failures it started. */
    private static void walk(Maintainer ma, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            ma.runOnce();
            ma.awaitWalk();
        }
    }

    /** Fails execution {@code id} for good as a worker that then dies: nothing else follows the write. */
    private static void failForGoodAndDie(SteppedPool pool, long id) {
        ClaimedExecution c = pool.claimAs("dead", 1, Duration.ofMinutes(5)).getFirst();
        assertThat(c.id()).isEqualTo(id);
        pool.store.executionCompleteMany(List.of(Completions.fail(c.lease(), "boom", false, null, List.of())));
        assertThat(pool.state(id)).isEqualTo(ExecutionState.FAILED);
    }

    @Test
    void theSweepCancelsTheChildrenAFailedParentLeftWhenItsWorkerDiedAfterWritingTheFailure() throws Exception {
        try (SteppedPool a = new SteppedPool(dir, options("a"))) {
            Maintainer ma = new Maintainer(a.ctx, a.wakeup, SubWorkflows.cancelsChildrenOfFailed(a.ctx), Duration.ZERO);
            long parent = parent(a);
            long retried = parent(a);
            long child = child(a, parent);
            failForGoodAndDie(a, parent);
            long keptChild = child(a, retried);
            failForGoodAndDie(a, retried);
            // Retried by hand before the sweep came to it: its child is needed again.
            assertThat(a.store.executionRetry(retried, false, "operator"))
                    .isEqualTo(io.nebula.worker.queue.RetryResult.REQUEUED);

            walk(ma, 1);

            assertThat(a.state(child)).isEqualTo(ExecutionState.CANCELLED);
            assertThat(a.store.historyList(child))
                    .anySatisfy(h -> assertThat(h.detail()).isEqualTo("parent execution " + parent + " failed"));
            assertThat(a.state(keptChild)).isEqualTo(ExecutionState.AVAILABLE);
        }
    }

    @Test
    void theSweepHandsOverEachFailureOnceInTheOrderTheyFinishedAndComesBackToOneItCouldNotHandle() throws Exception {
        try (SteppedPool a = new SteppedPool(dir, options("a"))) {
            List<Long> given = new java.util.ArrayList<>();
            long[] refuse = {-1, 0};
            long[] poison = {-1};
            Maintainer ma = new Maintainer(
                    a.ctx,
                    a.wakeup,
                    f -> {
                        given.add(f.id());
                        if (f.id() == refuse[0] && refuse[1]-- > 0) {
                            throw new io.nebula.worker.queue.StoreException("database unreachable");
                        }
                        if (f.id() == poison[0]) {
                            throw new IllegalStateException("cannot read its definition");
                        }
                    },
                    Duration.ZERO);
            long first = a.submit(1, "{}").getFirst();
            failForGoodAndDie(a, first);
            long second = a.submit(1, "{}").getFirst();
            failForGoodAndDie(a, second);

            walk(ma, 1);
            assertThat(given).containsExactly(first, second);
            walk(ma, 1);
            assertThat(given).as("nothing failed since").containsExactly(first, second);

            long third = a.submit(1, "{}").getFirst();
            failForGoodAndDie(a, third);
            long fourth = a.submit(1, "{}").getFirst();
            failForGoodAndDie(a, fourth);
            refuse[0] = third;
            refuse[1] = 1;
            walk(ma, 1);
            assertThat(given).as("stopped at the one it could not handle").containsExactly(first, second, third);
            walk(ma, 1);
            assertThat(given).containsExactly(first, second, third, third, fourth);

            long fifth = a.submit(1, "{}").getFirst();
            failForGoodAndDie(a, fifth);
            long sixth = a.submit(1, "{}").getFirst();
            failForGoodAndDie(a, sixth);
            given.clear();
            refuse[0] = fifth;
            refuse[1] = 3;
            walk(ma, 3);
            assertThat(given)
                    .as("a store failure is never passed: the walk stops there each time")
                    .containsExactly(fifth, fifth, fifth);
            given.clear();
            poison[0] = fifth;
            walk(ma, 3);
            assertThat(given).as("passed after three tries in a row").containsExactly(fifth, fifth, fifth, sixth);
        }
    }

    @Test
    void aLongSweepRunsBesideTheTicksThatKeepTheLeadAndOnlyOneRunsAtATime() throws Exception {
        try (SteppedPool a = new SteppedPool(dir, options("a"))) {
            java.util.concurrent.CountDownLatch stuck = new java.util.concurrent.CountDownLatch(1);
            List<Long> given = new java.util.concurrent.CopyOnWriteArrayList<>();
            Maintainer ma = new Maintainer(
                    a.ctx,
                    a.wakeup,
                    f -> {
                        given.add(f.id());
                        try {
                            stuck.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    Duration.ZERO);
            long id = a.submit(1, "{}").getFirst();
            failForGoodAndDie(a, id);

            ma.runOnce();
            await().atMost(Duration.ofSeconds(30)).until(() -> given.size() == 1);
            ma.runOnce();
            ma.runOnce();
            assertThat(ma.isLeader())
                    .as("the ticks went on while the sweep was held")
                    .isTrue();
            assertThat(given).as("no second walk while the first runs").containsExactly(id);

            stuck.countDown();
            ma.awaitWalk();
            walk(ma, 1);
            assertThat(given)
                    .as("the next walk starts after the one it handled")
                    .containsExactly(id);
        }
    }

    @Test
    void theSweepFinishesACancelThatAStoreFailureCutShortBetweenAChildAndItsOwnChild() throws Exception {
        try (SteppedPool a = new SteppedPool(dir, options("a"))) {
            Maintainer ma = new Maintainer(a.ctx, a.wakeup, SubWorkflows.cancelsChildrenOfFailed(a.ctx), Duration.ZERO);
            // The parent's child is a parent too: its node "down" starts the grandchild.
            WorkflowDocument mid =
                    new WorkflowDocument("mid-hash", "mid", "{\"nodes\":[{\"id\":\"down\",\"workflow\":\"wf-hash\"}]}");
            a.store.workflowPut(mid);
            long parent = parent(a);
            long child = a.store
                    .executionSubmitMany(List.of(SubmitRequest.now("default", mid.hash(), mid.name(), "{}", 3)
                            .withIdempotencyKey(ChildKeys.key(parent, "down"))))
                    .getFirst()
                    .executionId();
            long grandchild = child(a, child);
            failForGoodAndDie(a, parent);
            a.sql("CREATE TRIGGER fault_grandchild BEFORE UPDATE ON executions WHEN OLD.id = " + grandchild
                    + " BEGIN SELECT RAISE(ABORT, 'injected fault'); END");

            walk(ma, 1);
            assertThat(a.state(child)).isEqualTo(ExecutionState.CANCELLED);
            assertThat(a.state(grandchild)).as("its cancel failed").isEqualTo(ExecutionState.AVAILABLE);

            a.sql("DROP TRIGGER fault_grandchild");
            walk(ma, 1);
            assertThat(a.state(grandchild)).isEqualTo(ExecutionState.CANCELLED);
            assertThat(a.store.historyList(grandchild))
                    .anySatisfy(h -> assertThat(h.detail()).isEqualTo("parent execution " + child + " was cancelled"));
        }
    }

    @Test
    void aLeaderWhoseTermLapsedLosesTheLeadAndRescuesNothing() {
        try (SteppedPool a = new SteppedPool(dir, options("a"));
                SteppedPool b = new SteppedPool(dir, options("b"))) {
            Maintainer ma = new Maintainer(a.ctx, a.wakeup, ids -> {});
            Maintainer mb = new Maintainer(b.ctx, b.wakeup, ids -> {});
            ma.runOnce();
            assertThat(ma.isLeader()).isTrue();

            // a stops renewing (paused, partitioned); b takes over once a's term has run out.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                mb.runOnce();
                return mb.isLeader();
            });
            long id = expiredLease(a);
            a.ctx.store()
                    .executionRescue(
                            3, 1_000, new io.nebula.worker.queue.MaintenanceStore.LeaderFence(Maintainer.LEASE, "a"));
            assertThat(a.state(id)).as("a's fence no longer holds").isEqualTo(ExecutionState.RUNNING);

            ma.runOnce();

            assertThat(ma.isLeader()).isFalse();
            assertThat(a.events.matching("leadership")).containsExactly("leadership gained", "leadership lost");
            assertThat(a.state(id)).isEqualTo(ExecutionState.RUNNING);
        }
    }

    @Test
    void aResigningLeaderHandsTheLeadOverAtOnce() {
        try (SteppedPool a = new SteppedPool(dir, options("a"));
                SteppedPool b = new SteppedPool(dir, options("b"))) {
            Maintainer ma = new Maintainer(a.ctx, a.wakeup, ids -> {});
            Maintainer mb = new Maintainer(b.ctx, b.wakeup, ids -> {});
            ma.runOnce();
            mb.runOnce();
            assertThat(mb.isLeader()).isFalse();

            ma.resign();
            mb.runOnce();

            assertThat(ma.isLeader()).isFalse();
            assertThat(mb.isLeader()).isTrue();
            assertThat(a.events.matching("leadership")).containsExactly("leadership gained", "leadership lost");
            assertThat(b.events.matching("leadership")).containsExactly("leadership gained");
        }
    }

    @Test
    void aPruneRoundThatStoppedAtItsCapIsFollowedByAnotherAtTheNextTick() {
        try (SteppedPool a = new SteppedPool(dir, keepNothing(options("a")))) {
            // Rounds of at most two batches of one execution.
            Maintainer ma = new Maintainer(a.ctx, a.wakeup, 1, 2);
            long first = finished(a);
            long second = finished(a);
            long third = finished(a);

            ma.runOnce();
            assertThat(a.events.matching("pruned")).containsExactly("pruned 2");

            ma.runOnce();
            assertThat(a.events.matching("pruned")).as("no minute passed").containsExactly("pruned 2", "pruned 1");
            assertThat(List.of(first, second, third))
                    .allSatisfy(id -> assertThat(a.store.executionGet(id)).isEmpty());

            finished(a);
            ma.runOnce();
            assertThat(a.events.matching("pruned"))
                    .as("caught up: once a minute again")
                    .containsExactly("pruned 2", "pruned 1");
        }
    }

    private static PoolOptions keepNothing(PoolOptions o) {
        return new PoolOptions(
                o.workerId(),
                o.poolId(),
                o.queues(),
                o.concurrency(),
                o.batchSize(),
                o.pollInterval(),
                o.heartbeatInterval(),
                o.visibilityTimeout(),
                o.shutdownTimeout(),
                o.maxRetries(),
                o.retryBackoff(),
                o.retryBackoffMax(),
                o.quarantineAfter(),
                Duration.ZERO,
                o.checkInterval());
    }

    @Test
    void theLeaderPrunesAtMostOnceAMinuteByThePoolClock() {
        try (SteppedPool a = new SteppedPool(dir, keepNothing(options("a")))) {
            Maintainer ma = new Maintainer(a.ctx, a.wakeup, ids -> {});
            long first = finished(a);

            ma.runOnce();

            assertThat(a.events.matching("pruned")).containsExactly("pruned 1");
            assertThat(a.store.executionGet(first)).isEmpty();

            long second = finished(a);
            a.clock.advance(Duration.ofSeconds(59));
            ma.runOnce();
            assertThat(a.store.executionGet(second)).as("pruned a minute ago").isPresent();

            a.clock.advance(Duration.ofSeconds(1));
            ma.runOnce();
            assertThat(a.store.executionGet(second)).isEmpty();
            assertThat(a.events.matching("pruned")).containsExactly("pruned 1", "pruned 1");
        }
    }

    /** One execution run to success, finished by the database clock before now. */
    private static long finished(SteppedPool pool) {
        long id = pool.submit(1, "{}").getFirst();
        Running r = pool.hold(1).getFirst();
        pool.store.executionCompleteMany(List.of(Completions.succeed(r.lease(), "1", List.of())));
        pool.ctx.inFlight().remove(r);
        pool.ctx.slots().give(1);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> pool.store.databaseNow().isAfter(pool.view(id).finishedAt()));
        return id;
    }
}
