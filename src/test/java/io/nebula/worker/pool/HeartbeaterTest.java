package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.Completions;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.StopReason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lease keeping on a manual clock: extension, loss, and the local deadline. */
class HeartbeaterTest {
    private static final Duration HEARTBEAT = Duration.ofSeconds(10);
    private static final Duration VISIBILITY = Duration.ofSeconds(60);
    /** How long before the local deadline an execution is stopped (a tenth, at most five seconds). */
    private static final Duration SAFETY = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private SteppedPool pool() {
        return new SteppedPool(dir, PoolOptions.defaults("w").withLeases(HEARTBEAT, VISIBILITY));
    }

    @Test
    void aBeatIsSentEveryHeartbeatIntervalAndExtendsEveryLeaseHeld() {
        try (SteppedPool pool = pool()) {
            Heartbeater hb = new Heartbeater(pool.ctx, pool.readiness);
            pool.submit(2, "{}");
            List<Running> held = pool.hold(2);

            pool.clock.advance(HEARTBEAT.minusNanos(1));
            hb.runOnce();
            assertThat(pool.events.matching("heartbeat")).as("not due yet").isEmpty();

            pool.clock.advance(Duration.ofNanos(1));
            hb.runOnce();

            assertThat(pool.events.matching("heartbeat")).containsExactly("heartbeat ok leases=2");
            long expected = pool.clock.nanoTime() + VISIBILITY.toNanos();
            assertThat(held).allSatisfy(r -> {
                assertThat(r.leaseDeadlineNanos()).isEqualTo(expected);
                assertThat(r.stopReason()).isNull();
            });
        }
    }

    @Test
    void anExecutionWhoseLeaseTheDatabaseDidNotExtendIsStopped() {
        try (SteppedPool pool = pool()) {
            Heartbeater hb = new Heartbeater(pool.ctx, pool.readiness);
            pool.submit(2, "{}");
            List<Running> held = pool.hold(2);
            Running lost = held.get(0);
            Running kept = held.get(1);
            // Another party ends this lease behind the worker's back, and another worker claims it.
            pool.store.executionCompleteMany(
                    List.of(Completions.release(lost.lease(), "taken away", Duration.ZERO, List.of())));
            assertThat(pool.claimAs("other", 1, VISIBILITY)).hasSize(1);

            hb.beat();

            assertThat(lost.stopReason()).isEqualTo(StopReason.LEASE_LOST);
            assertThat(kept.stopReason()).isNull();
            assertThat(pool.view(lost.claimed().id()).leaseOwner()).isEqualTo("other");
        }
    }

    @Test
    void anExecutionStoppedForALostLeaseIsNotHeartbeatedAgain() {
        try (SteppedPool pool = pool()) {
            Heartbeater hb = new Heartbeater(pool.ctx, pool.readiness);
            pool.submit(2, "{}");
            List<Running> held = pool.hold(2);
            Running lost = held.get(0);
            assertThat(lost.requestStop(StopReason.LEASE_LOST)).isTrue();
            java.time.Instant expiresAt = pool.view(lost.claimed().id()).leaseExpiresAt();

            pool.clock.advance(HEARTBEAT);
            hb.runOnce();

            assertThat(pool.events.matching("heartbeat")).containsExactly("heartbeat ok leases=1");
            assertThat(pool.view(lost.claimed().id()).leaseExpiresAt())
                    .as("the lost lease is not extended")
                    .isEqualTo(expiresAt);
        }
    }

    @Test
    void anExecutionWhoseOutcomeIsBeingWrittenIsNotStoppedForAMissingExtension() {
        try (SteppedPool pool = pool()) {
            Heartbeater hb = new Heartbeater(pool.ctx, pool.readiness);
            pool.submit(1, "{}");
            Running r = pool.hold(1).getFirst();
            r.publishing();
            pool.store.executionCompleteMany(List.of(Completions.succeed(r.lease(), "1", List.of())));
            assertThat(pool.state(r.claimed().id())).isEqualTo(ExecutionState.SUCCEEDED);

            hb.beat();

            assertThat(r.stopReason()).isNull();
        }
    }

    @Test
    void aLeaseThatCouldNotBeExtendedIsStoppedBeforeItsDeadline() {
        try (SteppedPool pool = pool()) {
            Heartbeater hb = new Heartbeater(pool.ctx, pool.readiness);
            pool.submit(1, "{}");
            Running r = pool.hold(1).getFirst();
            pool.faultOn("executions");
            pool.faultOn("workers");

            pool.clock.advance(VISIBILITY.minus(SAFETY).minusNanos(1));
            hb.runOnce();

            assertThat(pool.events.matching("heartbeat")).containsExactly("heartbeat failed leases=1");
            assertThat(pool.readiness.snapshot().databaseReachable()).isFalse();
            assertThat(r.stopReason()).as("still inside the safety margin").isNull();

            pool.clock.advance(Duration.ofNanos(1));
            hb.runOnce();

            assertThat(r.stopReason()).isEqualTo(StopReason.LEASE_LOST);
        }
    }
}
