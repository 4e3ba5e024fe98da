package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.QueueStats;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Queue statistics read on request come from after the request, not from a refresh already running. */
class HealthCheckTest {
    @TempDir
    Path dir;

    @Test
    void aFreshCheckWaitsForARefreshAlreadyRunningAndReadsAgain() throws Exception {
        try (SteppedPool pool =
                new SteppedPool(dir, PoolOptions.defaults("w").withCheckInterval(Duration.ofSeconds(2)))) {
            // The first statistics call reads the (empty) queue, then is held before it returns, as a
            // periodic refresh that began before a submit and is still running when the check is asked for.
            CountDownLatch firstRead = new CountDownLatch(1);
            CountDownLatch releaseFirst = new CountDownLatch(1);
            AtomicInteger calls = new AtomicInteger();
            ExecutionStore real = pool.store;
            ExecutionStore held = (ExecutionStore) Proxy.newProxyInstance(
                    ExecutionStore.class.getClassLoader(), new Class<?>[] {ExecutionStore.class}, (p, m, args) -> {
                        try {
                            Object out = m.invoke(real, args);
                            if (m.getName().equals("queueStats") && calls.incrementAndGet() == 1) {
                                firstRead.countDown();
                                releaseFirst.await();
                            }
                            return out;
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            HealthCheck check = new HealthCheck(pool.ctxWith(held, pool.ctx.leases()), pool.readiness);
            try {
                Thread periodic = Thread.ofPlatform().start(() -> {
                    try {
                        check.runOnce();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                firstRead.await();
                pool.submit(2, "{}");

                Thread asked = Thread.ofPlatform().start(() -> {
                    try {
                        check.runFresh();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                // Released only once the fresh check is waiting for the running refresh.
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> Arrays.stream(asked.getStackTrace())
                                .anyMatch(f -> f.getMethodName().equals("refreshStats")));
                releaseFirst.countDown();
                asked.join();
                periodic.join();
            } finally {
                releaseFirst.countDown();
            }

            assertThat(calls).hasValue(2);
            List<QueueStats> stats = check.lastStats();
            assertThat(stats)
                    .filteredOn(s -> s.queue().equals("default"))
                    .singleElement()
                    .satisfies(s -> assertThat(s.counts()).containsEntry(ExecutionState.AVAILABLE, 2L));
        }
    }

    @Test
    void aRefreshTellsTheListenerTheQueuesLimits() throws Exception {
        try (SteppedPool pool =
                new SteppedPool(dir, PoolOptions.defaults("w").withCheckInterval(Duration.ofSeconds(2)))) {
            pool.submit(1, "{}");
            pool.store.queueLimit("default", 3);
            HealthCheck check = new HealthCheck(pool.ctx, pool.readiness);

            check.runFresh();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !pool.events.matching("limits").isEmpty());
            assertThat(pool.events.matching("limits")).last().isEqualTo("limits {default=3}");
        }
    }
}
