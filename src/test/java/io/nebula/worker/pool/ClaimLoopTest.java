package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.runtime.ExecutionRunner;
import io.nebula.worker.runtime.RunOutcome;
import io.nebula.worker.runtime.StopReason;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The claim loop against a scripted store. */
class ClaimLoopTest {
    @Test
    void aStopWhileAClaimIsInFlightLetsTheClaimFinishAndItsExecutionsRun() throws Exception {
        // Interrupting a virtual thread blocked in socket I/O closes the socket. A claim that had
        // committed would lose its answer, and its executions would stay claimed by a worker that
        // no longer knows them until their leases expire: an attempt spent and a death counted for
        // a graceful stop, which should have released them.
        CountDownLatch inClaim = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicInteger claims = new AtomicInteger();
        ClaimedExecution claimed =
                new ClaimedExecution(1, "default", "h", "wf", "{}", 1, 3, 1, false, false, java.time.Duration.ZERO);
        ExecutionStore store = (ExecutionStore) Proxy.newProxyInstance(
                ExecutionStore.class.getClassLoader(), new Class<?>[] {ExecutionStore.class}, (p, m, args) -> {
                    switch (m.getName()) {
                        case "executionClaim" -> {
                            if (claims.incrementAndGet() > 1) {
                                return List.of();
                            }
                            inClaim.countDown();
                            try {
                                answer.await();
                            } catch (InterruptedException e) {
                                interrupted.set(true);
                                throw new StoreException("connection closed by an interrupt");
                            }
                            return List.of(claimed);
                        }
                        case "workflowGet" -> {
                            return Optional.of(new WorkflowDocument("h", "wf", "{}"));
                        }
                        case "nodeResultsLoad" -> {
                            return Map.of();
                        }
                        case "toString" -> {
                            return "scripted store";
                        }
                        default -> throw new UnsupportedOperationException(m.getName());
                    }
                });
        ExecutionRunner runner = a -> new RunOutcome.Stopped(StopReason.SHUTDOWN, List.of());
        PoolOptions o = PoolOptions.defaults("w").withPollInterval(Duration.ofMillis(50));
        PoolContext ctx = new PoolContext(
                o,
                store,
                store,
                store,
                runner,
                WorkerListener.NONE,
                io.nebula.worker.observe.Tracing.OFF,
                new Slots(o.concurrency()),
                new InFlight(),
                new ResultPublisher(store, id -> true, 1),
                new DefinitionCache(store, 1 << 20),
                new KeyScopes(store));
        ClaimLoop loop = new ClaimLoop(ctx, new Wakeup(), new Readiness(), 0);
        loop.start();
        inClaim.await();

        loop.stop();
        answer.countDown();
        loop.awaitStopped(Duration.ofSeconds(10));

        assertThat(interrupted).as("the claim was interrupted").isFalse();
        assertThat(ctx.inFlight().get(1))
                .as("the claimed execution is held, so a stop releases it")
                .isNotNull();
    }
}
