package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.InMemoryLeaseStore;
import io.nebula.worker.queue.LeaseStore.Checkpoint;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leases that expire in the store: the hot path on the in-memory lease store, whose clock the test
 * moves along with the pool's, so a lease runs out without waiting.
 */
class LeaseExpiryTest {
    private static final Duration HEARTBEAT = Duration.ofSeconds(10);
    private static final Duration VISIBILITY = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private SteppedPool pool() {
        return SteppedPool.inMemory(dir, PoolOptions.defaults("w").withLeases(HEARTBEAT, VISIBILITY));
    }

    private static void advance(SteppedPool pool, Duration d) {
        pool.clock.advance(d);
        pool.storeClock.advance(d);
    }

    private static Checkpoint checkpoint(String node, Running r) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        return new Checkpoint(r.lease(), new NodeResult(node, NodeStatus.SUCCEEDED, "true", null, 1, t, t));
    }

    private static InMemoryLeaseStore store(SteppedPool pool) {
        return (InMemoryLeaseStore) pool.leases;
    }

    @Test
    void heartbeatsKeepALeaseAlivePastItsFirstExpiry() throws Exception {
        try (SteppedPool pool = pool()) {
            Heartbeater hb = new Heartbeater(pool.ctx, pool.readiness);
            pool.submit(1, "{}");
            Running r = pool.hold(1).getFirst();

            advance(pool, Duration.ofSeconds(50));
            hb.runOnce();
            advance(pool, Duration.ofSeconds(50));
            hb.expireOverdue(pool.clock.nanoTime());
            CompletableFuture<Boolean> written = pool.ctx.publisher().checkpoint(checkpoint("a", r));
            pool.ctx.publisher().flushOnce();

            assertThat(r.stopReason()).isNull();
            assertThat(written.get()).as("written 100 s into a 60 s lease").isTrue();
            assertThat(store(pool).nodeResultList(r.claimed().id()))
                    .extracting(NodeResult::nodeId)
                    .containsExactly("a");
        }
    }

    @Test
    void withoutAHeartbeatTheStoreRefusesTheCheckpointsOfAnExpiredLease() throws Exception {
        try (SteppedPool pool = pool()) {
            pool.submit(1, "{}");
            Running r = pool.hold(1).getFirst();
            // Only the store's clock moves: this process was frozen and has not noticed yet.
            pool.storeClock.advance(VISIBILITY);

            CompletableFuture<Boolean> cp = pool.ctx.publisher().checkpoint(checkpoint("a", r));
            pool.ctx.publisher().flushOnce();

            assertThat(cp.get()).isFalse();
            assertThat(store(pool).nodeResultList(r.claimed().id())).isEmpty();
            assertThat(pool.view(r.claimed().id()).state()).isEqualTo(ExecutionState.RUNNING);
        }
    }

    @Test
    void anExecutionWhoseLeaseExpiredWhileItRanWritesNothingMoreAndGivesItsSlotBack() throws Exception {
        try (SteppedPool pool = pool()) {
            long id = pool.submit(1, "{\"do\":\"two-steps\"}").getFirst();
            ClaimLoop loop = new ClaimLoop(pool.ctx, pool.wakeup, pool.readiness, 0);
            ResultPublisher publisher = pool.ctx.publisher();

            loop.claimOnce();
            // The attempt's first checkpoint waits to be written while the lease runs out.
            await().atMost(Duration.ofSeconds(30)).until(() -> publisher.pending() == 1);
            advance(pool, VISIBILITY);
            publisher.flushOnce();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> pool.ctx.inFlight().isEmpty());
            assertThat(pool.events.all)
                    .containsExactly("claimed 4 got 1", "lease lost " + id, "ended " + id + " LEASE_LOST");
            assertThat(pool.ctx.slots().free()).isEqualTo(4);
            assertThat(publisher.pending()).as("nothing more is written").isZero();
            assertThat(pool.runner.blocked.getCount())
                    .as("node b never started")
                    .isEqualTo(1);
            assertThat(store(pool).nodeResultList(id)).isEmpty();
            assertThat(pool.view(id).state()).isEqualTo(ExecutionState.RUNNING);
        }
    }
}
