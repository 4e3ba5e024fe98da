package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.CompletionResult;
import io.nebula.worker.queue.Completions;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.LeaseStore.Checkpoint;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.StoreException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The result publisher, stepped one batch at a time on a real store and a manual clock. */
class ResultPublisherTest {
    @TempDir
    Path dir;

    private static NodeResult node(String id, Running r) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        return new NodeResult(
                id, NodeStatus.SUCCEEDED, "true", null, r.claimed().attempt(), t, t);
    }

    private static Checkpoint checkpoint(String node, Running r) {
        return new Checkpoint(r.lease(), node(node, r));
    }

    @Test
    void whateverIsQueuedIsWrittenInOneBatch() throws Exception {
        try (SteppedPool pool = new SteppedPool(dir, PoolOptions.defaults("w"))) {
            ResultPublisher publisher = pool.ctx.publisher();
            pool.submit(3, "{}");
            List<Running> held = pool.hold(3);
            List<CompletableFuture<Boolean>> checkpoints = new ArrayList<>();
            List<CompletableFuture<CompletionResult>> completions = new ArrayList<>();
            for (Running r : held) {
                checkpoints.add(publisher.checkpoint(checkpoint("a", r)));
                completions.add(publisher.complete(Completions.succeed(r.lease(), "\"done\"", List.of())));
            }
            assertThat(checkpoints).noneMatch(CompletableFuture::isDone);

            assertThat(publisher.flushOnce()).as("writes in the batch").isEqualTo(6);

            assertThat(publisher.pending()).isZero();
            assertThat(checkpoints).allSatisfy(f -> assertThat(f.get()).isTrue());
            assertThat(completions)
                    .allSatisfy(f -> assertThat(f.get().applied()).isTrue());
            for (Running r : held) {
                assertThat(pool.state(r.claimed().id())).isEqualTo(ExecutionState.SUCCEEDED);
                assertThat(pool.store.nodeResultList(r.claimed().id()))
                        .extracting(NodeResult::nodeId)
                        .containsExactly("a");
            }
            assertThat(publisher.flushOnce()).as("nothing left").isZero();
        }
    }

    @Test
    void aBatchHoldsAtMost512Writes() throws Exception {
        try (SteppedPool pool = new SteppedPool(dir, PoolOptions.defaults("w"))) {
            ResultPublisher publisher = pool.ctx.publisher();
            pool.submit(1, "{}");
            Running r = pool.hold(1).getFirst();
            for (int i = 0; i < 600; i++) {
                publisher.checkpoint(checkpoint("n" + i, r));
            }

            assertThat(publisher.flushOnce()).isEqualTo(512);
            assertThat(publisher.flushOnce()).isEqualTo(88);
            assertThat(pool.store.nodeResultList(r.claimed().id())).hasSize(600);
        }
    }

    @Test
    void aBatchTheDatabaseRefusedIsRetriedAfterABackoff() throws Exception {
        try (SteppedPool pool = new SteppedPool(dir, PoolOptions.defaults("w"))) {
            ResultPublisher publisher = pool.ctx.publisher();
            pool.submit(1, "{}");
            Running r = pool.hold(1).getFirst();
            pool.faultOn("node_results");
            pool.clock.onSleep(() -> pool.faultOff("node_results"));
            CompletableFuture<Boolean> written = publisher.checkpoint(checkpoint("a", r));

            publisher.flushOnce();

            assertThat(pool.clock.sleeps()).containsExactly(Duration.ofMillis(50));
            assertThat(written.get()).isTrue();
            assertThat(pool.store.nodeResultList(r.claimed().id()))
                    .extracting(NodeResult::nodeId)
                    .containsExactly("a");
        }
    }

    @Test
    void retryingStopsOnceTheLeaseCanNoLongerBeHeld() throws Exception {
        try (SteppedPool pool = new SteppedPool(
                dir, PoolOptions.defaults("w").withLeases(Duration.ofMillis(100), Duration.ofSeconds(1)))) {
            ResultPublisher publisher = pool.ctx.publisher();
            pool.submit(1, "{}");
            Running r = pool.hold(1).getFirst();
            pool.faultOn("node_results");
            CompletableFuture<Boolean> written = publisher.checkpoint(checkpoint("a", r));

            publisher.flushOnce();

            // 50 + 100 + 200 + 400 ms leave the one-second lease; after 800 more it is gone.
            assertThat(pool.clock.sleeps())
                    .containsExactly(
                            Duration.ofMillis(50),
                            Duration.ofMillis(100),
                            Duration.ofMillis(200),
                            Duration.ofMillis(400),
                            Duration.ofMillis(800));
            assertThat(written).isCompletedExceptionally();
            try {
                written.get();
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StoreException.class).hasMessageContaining("lease expired");
            }
            pool.faultOff("node_results");
            assertThat(pool.store.nodeResultList(r.claimed().id())).isEmpty();
        }
    }

    @Test
    void writesFencedByALeaseThatIsNoLongerCurrentAreRejected() throws Exception {
        try (SteppedPool pool = new SteppedPool(dir, PoolOptions.defaults("w"))) {
            ResultPublisher publisher = pool.ctx.publisher();
            pool.submit(1, "{}");
            Running r = pool.hold(1).getFirst();
            long id = r.claimed().id();
            pool.store.executionCompleteMany(
                    List.of(Completions.release(r.lease(), "taken away", Duration.ZERO, List.of())));
            assertThat(pool.claimAs("other", 1, Duration.ofMinutes(5))).hasSize(1);

            CompletableFuture<Boolean> cp = publisher.checkpoint(checkpoint("a", r));
            CompletableFuture<CompletionResult> done =
                    publisher.complete(Completions.succeed(r.lease(), "\"stale\"", List.of()));
            publisher.flushOnce();

            assertThat(cp.get()).isFalse();
            assertThat(done.get().applied()).isFalse();
            assertThat(pool.state(id)).isEqualTo(ExecutionState.RUNNING);
            assertThat(pool.view(id).leaseOwner()).isEqualTo("other");
            assertThat(pool.store.nodeResultList(id)).isEmpty();
        }
    }
}
