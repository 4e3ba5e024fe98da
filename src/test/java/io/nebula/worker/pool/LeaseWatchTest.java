package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.LeaseStore;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import io.nebula.worker.testing.ScriptedRunner;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A heartbeat call that never returns (a connection wait, a statement the database holds) does
 * not keep the worker from stopping an execution whose lease runs out meanwhile: another worker
 * may take the execution over once the database's lease has expired.
 */
class LeaseWatchTest {
    @TempDir
    Path dir;

    /** {@code store} with every heartbeat of its lease store held until {@code hang} opens. */
    private static ExecutionStore heartbeatsHang(ExecutionStore store, CountDownLatch hang) {
        LeaseStore leases = store.leases();
        LeaseStore held = (LeaseStore) Proxy.newProxyInstance(
                LeaseStore.class.getClassLoader(), new Class<?>[] {LeaseStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("leaseHeartbeat")) {
                        hang.await();
                    }
                    return forward(method, leases, args);
                });
        return (ExecutionStore) Proxy.newProxyInstance(
                ExecutionStore.class.getClassLoader(), new Class<?>[] {ExecutionStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("leases") && method.getParameterCount() == 0) {
                        return held;
                    }
                    return forward(method, store, args);
                });
    }

    private static Object forward(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Runs one blocking execution on a worker whose heartbeats never return, with a lease of {@code
     * visibility} on {@code clock}; {@code meanwhile} runs once the execution has started. Returns
     * after checking that the execution was stopped (not released) within {@code stopWithin}.
     */
    private void blockedExecutionIsStopped(
            Duration visibility, PoolClock clock, Runnable meanwhile, Duration stopWithin) {
        CountDownLatch hang = new CountDownLatch(1);
        ExecutionStore store = SqliteExecutionStore.open(dir.resolve("q.db"), StoreOptions.defaults("test"));
        store.migrate();
        store.workflowPut(SteppedPool.WF);
        ScriptedRunner runner = new ScriptedRunner();
        Worker w = Worker.builder()
                .options(PoolOptions.defaults("w")
                        .withPollInterval(Duration.ofMillis(50))
                        .withLeases(Duration.ofMillis(200), visibility))
                .store(heartbeatsHang(store, hang), true)
                .runner(runner)
                .clock(clock)
                .build();
        try {
            w.start();
            store.executionSubmitMany(List.of(SubmitRequest.now(
                    "default", SteppedPool.WF.hash(), SteppedPool.WF.name(), "{\"do\":\"block\"}", 3)));
            await().atMost(Duration.ofSeconds(20)).until(() -> runner.blocked.getCount() == 0);

            meanwhile.run();

            await().atMost(stopWithin).until(() -> runner.running.get() == 0);
            assertThat(runner.release.getCount()).as("stopped, not released").isEqualTo(1);
        } finally {
            hang.countDown();
            w.stop(Duration.ZERO);
            store.close();
        }
    }

    @Test
    void anExecutionIsStoppedWhenItsLeaseRunsOutWhileAHeartbeatHangs() {
        // The first heartbeat, 200 ms in, never returns; the lease ends 2 s after the claim.
        blockedExecutionIsStopped(Duration.ofSeconds(2), PoolClock.SYSTEM, () -> {}, Duration.ofSeconds(20));
    }

    @Test
    void anExecutionIsStoppedWhenTheWallClockShowsItsLeaseRanOutWhileTheMachineWasSuspended() {
        // A suspend stops the monotonic clock; the wall clock shows the time missed on resume.
        java.util.concurrent.atomic.AtomicLong suspended = new java.util.concurrent.atomic.AtomicLong();
        PoolClock clock =
                new PoolClock.SuspendAware(System::nanoTime, () -> System.currentTimeMillis() + suspended.get());
        // The lease has 60 s left on the monotonic clock; the wall clock says two minutes went by.
        blockedExecutionIsStopped(
                Duration.ofSeconds(60),
                clock,
                () -> suspended.set(Duration.ofMinutes(2).toMillis()),
                Duration.ofSeconds(10));
    }
}
