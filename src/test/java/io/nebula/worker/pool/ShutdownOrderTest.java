package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.queue.StopReason;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import io.nebula.worker.runtime.ExecutionRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A graceful stop on a manual clock: claiming stops first, running executions get the grace period
 * to finish (their outcomes written), the rest are released back to the queue when it has passed,
 * and only then does the worker give up its registry row and leader lease.
 */
class ShutdownOrderTest {
    private static final Duration GRACE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void stopClaimsNoMoreLetsRunningExecutionsFinishWithinTheGraceThenReleasesTheRest() throws Exception {
        Path file = dir.resolve("q.db");
        ManualPoolClock clock = new ManualPoolClock();
        CountDownLatch finish = new CountDownLatch(1);
        ExecutionRunner runner = a -> {
            try {
                if (a.inputJson().contains("finish")) {
                    finish.await();
                    return new RunOutcome.Succeeded("\"finished\"", List.of());
                }
                new CountDownLatch(1).await(); // runs until stopped
                throw new IllegalStateException("unreachable");
            } catch (InterruptedException e) {
                StopReason r = a.stopRequested();
                return new RunOutcome.Stopped(r == null ? StopReason.SHUTDOWN : r, List.of());
            }
        };
        try (ExecutionStore store = SqliteExecutionStore.open(file, StoreOptions.defaults("test"))) {
            store.migrate();
            store.workflowPut(SteppedPool.WF);
            long finishing = submit(store, "{\"do\":\"finish\"}");
            long holding = submit(store, "{\"do\":\"hold\"}");
            Worker w = Worker.builder()
                    .options(PoolOptions.defaults("w").withConcurrency(2))
                    .store(SqliteExecutionStore.open(file, StoreOptions.defaults("worker")), true)
                    .runner(runner)
                    .clock(clock)
                    .build();
            w.start();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> w.readiness().snapshot().ready());
            await().atMost(Duration.ofSeconds(30)).until(() -> w.activeJobs() == 2 && w.isLeader());
            // Both slots are busy, so this one waits; once a slot frees up only a stop keeps it waiting.
            long waiting = submit(store, "{\"do\":\"finish\"}");
            assertThat(store.workerList(Duration.ofMinutes(1)))
                    .extracting(i -> i.workerId())
                    .contains("w");

            Thread stopper = Thread.ofVirtual().start(() -> w.stop(GRACE));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> w.readiness().snapshot().phase() == Readiness.Phase.STOPPING);
            assertThat(w.readiness().snapshot().ready()).isFalse();

            finish.countDown();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> store.executionGet(finishing).orElseThrow().state() == ExecutionState.SUCCEEDED);
            w.wake();
            await().during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> store.executionGet(waiting).orElseThrow().state() == ExecutionState.AVAILABLE);
            assertThat(store.executionGet(holding).orElseThrow().state())
                    .as("still inside the grace period")
                    .isEqualTo(ExecutionState.RUNNING);
            assertThat(stopper.isAlive()).isTrue();

            clock.advance(GRACE);
            stopper.join(Duration.ofSeconds(60));

            assertThat(stopper.isAlive()).isFalse();
            assertThat(w.readiness().snapshot().phase()).isEqualTo(Readiness.Phase.STOPPED);
            var released = store.executionGet(holding).orElseThrow();
            assertThat(released.state()).isEqualTo(ExecutionState.AVAILABLE);
            assertThat(store.executionGet(waiting).orElseThrow().attempt())
                    .as("never claimed")
                    .isZero();
            assertThat(store.workerList(Duration.ofMinutes(1)))
                    .extracting(i -> i.workerId())
                    .doesNotContain("w");
            assertThat(store.leaderGet(Maintainer.LEASE)).isEmpty();
        }
    }

    /**
     * One failed call marks the database unreachable until the next check; a stop then asks the
     * database itself, finds it answering, and keeps the grace period for the running execution.
     */
    @Test
    void aStaleUnreachableMarkDoesNotCutTheGracePeriodShort() throws Exception {
        Path file = dir.resolve("s.db");
        CountDownLatch finish = new CountDownLatch(1);
        ExecutionRunner runner = a -> {
            try {
                finish.await();
                return new RunOutcome.Succeeded("\"finished\"", List.of());
            } catch (InterruptedException e) {
                StopReason r = a.stopRequested();
                return new RunOutcome.Stopped(r == null ? StopReason.SHUTDOWN : r, List.of());
            }
        };
        try (ExecutionStore store = SqliteExecutionStore.open(file, StoreOptions.defaults("test"))) {
            store.migrate();
            store.workflowPut(SteppedPool.WF);
            long running = submit(store, "{\"do\":\"finish\"}");
            Worker w = Worker.builder()
                    .options(PoolOptions.defaults("w").withConcurrency(1))
                    .store(SqliteExecutionStore.open(file, StoreOptions.defaults("worker")), true)
                    .runner(runner)
                    .clock(new ManualPoolClock())
                    .build();
            w.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> w.activeJobs() == 1);

            w.readiness().databaseFailed("one dropped connection");
            Thread stopper = Thread.ofVirtual().start(() -> w.stop(GRACE));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> w.readiness().snapshot().databaseReachable());
            finish.countDown();
            stopper.join(Duration.ofSeconds(60));

            assertThat(stopper.isAlive()).isFalse();
            assertThat(store.executionGet(running).orElseThrow().state()).isEqualTo(ExecutionState.SUCCEEDED);
            assertThat(w.unreleasedAtStop()).isZero();
        }
    }

    /**
     * A stop that has to ask the database whether it is gone says it is not ready before it asks:
     * the probe may take its whole patience, and a load balancer should stop sending at once.
     */
    @Test
    void aStopSaysItIsNotReadyBeforeItProbesTheDatabase() throws Exception {
        Path file = dir.resolve("p.db");
        try (ExecutionStore store = SqliteExecutionStore.open(file, StoreOptions.defaults("test"))) {
            store.migrate();
            ExecutionStore own = SqliteExecutionStore.open(file, StoreOptions.defaults("worker"));
            java.util.concurrent.atomic.AtomicReference<Worker> worker =
                    new java.util.concurrent.atomic.AtomicReference<>();
            List<Readiness.Phase> atProbe = new java.util.concurrent.CopyOnWriteArrayList<>();
            ExecutionStore probed = (ExecutionStore) java.lang.reflect.Proxy.newProxyInstance(
                    ExecutionStore.class.getClassLoader(), new Class<?>[] {ExecutionStore.class}, (proxy, m, args) -> {
                        if (m.getName().equals("probe")) {
                            atProbe.add(worker.get().readiness().snapshot().phase());
                        }
                        try {
                            return m.invoke(own, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            // Polling once a minute: no claim marks the database reachable again before the stop.
            Worker w = Worker.builder()
                    .options(PoolOptions.defaults("w").withConcurrency(1).withPollInterval(Duration.ofMinutes(1)))
                    .store(probed, true)
                    .runner(a -> new RunOutcome.Succeeded("1", List.of()))
                    .clock(new ManualPoolClock())
                    .build();
            worker.set(w);
            w.start();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> w.readiness().snapshot().ready());
            atProbe.clear();

            w.readiness().databaseFailed("one dropped connection");
            w.stop(Duration.ZERO);

            assertThat(atProbe).containsExactly(Readiness.Phase.STOPPING);
        }
    }

    private static long submit(ExecutionStore store, String input) {
        return store.executionSubmitMany(
                        List.of(SubmitRequest.now("default", SteppedPool.WF.hash(), SteppedPool.WF.name(), input, 3)))
                .getFirst()
                .executionId();
    }
}
