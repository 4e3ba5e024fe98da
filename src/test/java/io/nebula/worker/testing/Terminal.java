package io.nebula.worker.testing;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The one way tests wait for executions to end: polls the store (Awaitility, every 50 ms) until
 * the execution is in a terminal state and returns its view, or fails naming the execution and
 * the state it was left in. A limit shorter than one poll is one poll.
 */
public final class Terminal {
    private static final Duration POLL = Duration.ofMillis(50);

    private Terminal() {}

    /** Waits until execution {@code id} is terminal and returns it as it ended. */
    public static ExecutionView await(ExecutionStore store, long id, Duration max) {
        AtomicReference<ExecutionView> last = new AtomicReference<>();
        try {
            Awaitility.await("execution " + id + " terminal")
                    .atMost(max.compareTo(POLL) < 0 ? POLL : max)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(POLL)
                    .pollInSameThread()
                    .until(() -> {
                        ExecutionView v = store.executionGet(id)
                                .orElseThrow(() -> new AssertionError("no execution with id " + id));
                        last.set(v);
                        return v.state().isTerminal();
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "execution " + id + " not terminal within " + max + "; last seen "
                            + Optional.ofNullable(last.get())
                                    .map(v -> v.state().toString())
                                    .orElse("never"),
                    e);
        }
        return last.get();
    }

    /** Waits until every execution of {@code ids} is terminal; returns them in the order given. */
    public static List<ExecutionView> awaitAll(ExecutionStore store, Collection<Long> ids, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        return ids.stream()
                .map(id -> await(store, id, Duration.ofNanos(deadline - System.nanoTime())))
                .toList();
    }
}
