package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The claim loop, stepped one claim at a time on a real store. */
class ClaimLoopTest {
    @TempDir
    Path dir;

    @Test
    void aClaimNeverTakesMoreExecutionsThanThereAreFreeSlots() throws Exception {
        try (SteppedPool pool = new SteppedPool(
                dir, PoolOptions.defaults("w").withConcurrency(3).withBatchSize(10))) {
            List<Long> ids = pool.submit(5, "{\"do\":\"block\"}");
            ClaimLoop loop = new ClaimLoop(pool.ctx, pool.wakeup, pool.readiness, 0);

            assertThat(loop.claimOnce()).isEqualTo(ClaimLoop.Turn.FULL);

            assertThat(pool.events.matching("claimed")).containsExactly("claimed 3 got 3");
            assertThat(pool.ctx.slots().free()).isZero();
            assertThat(ids.stream().filter(id -> pool.state(id) == ExecutionState.RUNNING))
                    .hasSize(3);
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.runner.running.get() == 3);

            pool.runner.release.countDown();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> pool.ctx.publisher().pending() == 3);
            assertThat(pool.ctx.slots().free())
                    .as("a slot is held until its outcome is written")
                    .isZero();
            assertThat(pool.ctx.publisher().flushOnce()).isEqualTo(3);
            assertThat(pool.ctx.slots().free()).isEqualTo(3);

            assertThat(loop.claimOnce()).as("two were left for three slots").isEqualTo(ClaimLoop.Turn.SHORT);
            assertThat(pool.events.matching("claimed")).containsExactly("claimed 3 got 3", "claimed 3 got 2");
            assertThat(pool.ctx.slots().free()).isEqualTo(1);
            assertThat(pool.runner.maxRunning.get()).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void aShortClaimIsFollowedByAnotherAsSoonAsOneOfItsExecutionsEnds() throws Exception {
        try (SteppedPool pool = limitedToOne()) {
            ClaimLoop loop = new ClaimLoop(pool.ctx, pool.wakeup, pool.readiness, 0);

            assertThat(loop.claimOnce()).isEqualTo(ClaimLoop.Turn.SHORT);
            assertThat(pool.events.matching("claimed")).containsExactly("claimed 4 got 1");
            assertThat(pool.wakeup.await(Duration.ZERO))
                    .as("nothing has ended yet")
                    .isFalse();

            endTheOneRunning(pool);

            assertThat(pool.wakeup.await(Duration.ZERO))
                    .as("the end woke the loop, without waiting for the poll interval")
                    .isTrue();
            assertThat(loop.claimOnce()).isEqualTo(ClaimLoop.Turn.SHORT);
            assertThat(pool.events.matching("claimed")).containsExactly("claimed 4 got 1", "claimed 4 got 1");
        }
    }

    @Test
    void anEmptyClaimInBetweenDoesNotDisarmTheWakeOnTheNextEnd() throws Exception {
        try (SteppedPool pool = limitedToOne()) {
            ClaimLoop loop = new ClaimLoop(pool.ctx, pool.wakeup, pool.readiness, 0);

            assertThat(loop.claimOnce()).isEqualTo(ClaimLoop.Turn.SHORT);
            // A claim woken by a NOTIFY (a submit to the limited queue) while it is at its limit.
            assertThat(loop.claimOnce()).isEqualTo(ClaimLoop.Turn.SHORT);
            assertThat(pool.events.matching("claimed")).containsExactly("claimed 4 got 1", "claimed 3 got 0");
            assertThat(pool.wakeup.await(Duration.ZERO))
                    .as("giving back the empty claim's slots wakes nothing")
                    .isFalse();

            endTheOneRunning(pool);

            assertThat(pool.wakeup.await(Duration.ZERO))
                    .as("the end woke the loop")
                    .isTrue();
        }
    }

    /** Four slots, three blocking executions queued, the queue limited to one running at once. */
    private SteppedPool limitedToOne() {
        SteppedPool pool = new SteppedPool(
                dir, PoolOptions.defaults("w").withConcurrency(4).withBatchSize(10));
        pool.submit(3, "{\"do\":\"block\"}");
        pool.store.queueLimit("default", 1);
        return pool;
    }

    /** Lets the one running execution end and writes its outcome, giving its slot back. */
    private static void endTheOneRunning(SteppedPool pool) throws InterruptedException {
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.runner.running.get() == 1);
        pool.runner.release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.ctx.publisher().pending() == 1);
        assertThat(pool.ctx.publisher().flushOnce()).isEqualTo(1);
    }

    @Test
    void aClaimThatFailsWithAFaultOfItsOwnGivesItsSlotsBackToo() {
        try (SteppedPool pool = new SteppedPool(dir, PoolOptions.defaults("w").withConcurrency(3))) {
            // A store whose claim fails with something other than a database error.
            io.nebula.worker.queue.LeaseStore broken =
                    (io.nebula.worker.queue.LeaseStore) java.lang.reflect.Proxy.newProxyInstance(
                            getClass().getClassLoader(),
                            new Class<?>[] {io.nebula.worker.queue.LeaseStore.class},
                            (proxy, method, args) -> {
                                if (method.getName().equals("executionClaim")) {
                                    throw new IllegalStateException("a fault in the claim's own code");
                                }
                                try {
                                    return method.invoke(pool.leases, args);
                                } catch (java.lang.reflect.InvocationTargetException e) {
                                    throw e.getCause();
                                }
                            });
            ClaimLoop loop = new ClaimLoop(pool.ctxWith(pool.ctx.store(), broken), pool.wakeup, pool.readiness, 0);

            for (int i = 0; i < 3; i++) {
                org.assertj.core.api.Assertions.assertThatThrownBy(loop::claimOnce)
                        .isInstanceOf(IllegalStateException.class);
                assertThat(pool.ctx.slots().free()).isEqualTo(3);
            }
        }
    }

    @Test
    void aFailedClaimGivesItsSlotsBackAndTheWaitDoublesUntilAClaimSucceeds() {
        try (SteppedPool pool = new SteppedPool(dir, PoolOptions.defaults("w").withConcurrency(3))) {
            pool.submit(1, "{\"do\":\"succeed\"}");
            ClaimLoop loop = new ClaimLoop(pool.ctx, pool.wakeup, pool.readiness, 0);
            pool.faultOn("executions");

            List<Duration> waits = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                assertThat(loop.claimOnce()).isEqualTo(ClaimLoop.Turn.FAILED);
                waits.add(loop.failureBackoff());
                assertThat(pool.ctx.slots().free()).isEqualTo(3);
            }

            assertThat(waits)
                    .containsExactly(
                            Duration.ofMillis(100),
                            Duration.ofMillis(200),
                            Duration.ofMillis(400),
                            Duration.ofMillis(800),
                            Duration.ofMillis(1600),
                            Duration.ofMillis(3200),
                            Duration.ofSeconds(5),
                            Duration.ofSeconds(5));
            assertThat(pool.readiness.snapshot().databaseReachable()).isFalse();

            pool.faultOff("executions");
            assertThat(loop.claimOnce()).isEqualTo(ClaimLoop.Turn.SHORT);
            assertThat(pool.readiness.snapshot().databaseReachable()).isTrue();

            pool.submit(1, "{\"do\":\"succeed\"}");
            pool.faultOn("executions");
            assertThat(loop.claimOnce()).isEqualTo(ClaimLoop.Turn.FAILED);
            assertThat(loop.failureBackoff())
                    .as("a successful claim starts the backoff over")
                    .isEqualTo(Duration.ofMillis(100));
        }
    }

    @Test
    void aStopWhileAClaimIsInFlightLetsTheClaimFinishAndItsExecutionsRun() throws Exception {
        // Interrupting a virtual thread blocked in socket I/O closes the socket. A claim that had
        // committed would lose its answer, and its executions would stay claimed by a worker that
        // no longer knows them until their leases expire: an attempt spent and a death counted for
        // a graceful stop, which should have released them.
        PostgresTestDatabase.require();
        String schema = PostgresTestDatabase.newSchema();
        try (var store = PostgresTestDatabase.open(
                        schema, StoreOptions.defaults("test").withMaxConnections(4));
                Connection locker = PostgresTestDatabase.connect()) {
            store.migrate();
            store.workflowPut(SteppedPool.WF);
            long id = store.executionSubmitMany(List.of(io.nebula.worker.queue.SubmitRequest.now(
                            "default", SteppedPool.WF.hash(), SteppedPool.WF.name(), "{\"do\":\"block\"}", 3)))
                    .getFirst()
                    .executionId();
            PoolOptions o = PoolOptions.defaults("w").withPollInterval(Duration.ofMillis(50));
            ManualPoolClock clock = new ManualPoolClock();
            InFlight inFlight = new InFlight();
            io.nebula.worker.testing.ScriptedRunner runner = new io.nebula.worker.testing.ScriptedRunner();
            PoolContext ctx = new PoolContext(
                    o,
                    store,
                    store.leases(),
                    store.maintenance(),
                    runner,
                    io.nebula.worker.observe.WorkerListener.NONE,
                    io.nebula.worker.observe.Tracing.OFF,
                    new Slots(o.concurrency()),
                    inFlight,
                    new ResultPublisher(store.leases(), x -> true, 0, clock),
                    new KeyScopes(store),
                    clock);
            ClaimLoop loop = new ClaimLoop(ctx, new Wakeup(), new Readiness(), 0);
            // The claim waits on the table lock while the loop is told to stop.
            locker.setAutoCommit(false);
            try (Statement st = locker.createStatement()) {
                st.execute("LOCK TABLE \"" + schema + "\".executions IN EXCLUSIVE MODE");
            }
            loop.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnLocks(schema) > 0);

            loop.stop();
            locker.commit();
            loop.awaitStopped(Duration.ofSeconds(30));

            assertThat(inFlight.get(id))
                    .as("the claimed execution is held, so a stop releases it")
                    .isNotNull();
            assertThat(store.executionGet(id).orElseThrow().leaseOwner()).isEqualTo("w");
            runner.release.countDown();
        } finally {
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    /** How many statements wait for a lock on the schema's executions table. */
    private static int waitingOnLocks(String schema) throws Exception {
        try (Connection c = PostgresTestDatabase.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = to_regclass(?)")) {
            ps.setString(1, "\"" + schema + "\".executions");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
