package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.queue.ChildKeys;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.runtime.ChildWorkflows;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How an attempt starts and finds its children, on a real SQLite store, the attempt built by hand. */
class LeasedAttemptChildrenTest {
    @TempDir
    Path dir;

    private static ChildWorkflows children(SteppedPool pool, ClaimedExecution held) {
        return children(pool, pool.store, held);
    }

    private static ChildWorkflows children(SteppedPool pool, ExecutionStore store, ClaimedExecution held) {
        long now = pool.clock.nanoTime();
        Running r = new Running(held, now + Duration.ofMinutes(5).toNanos(), now);
        return new LeasedAttempt(r, Map.of(), null, store, null, pool.clock).children();
    }

    private static ClaimedExecution heldParent(SteppedPool a, WorkflowDocument wf) {
        a.store.workflowPut(wf);
        long parent = a.store
                .executionSubmitMany(List.of(SubmitRequest.now("default", wf.hash(), wf.name(), "{}", 1)))
                .getFirst()
                .executionId();
        ClaimedExecution held = a.claimAs("a", 1, Duration.ofMinutes(5)).getFirst();
        assertThat(held.id()).isEqualTo(parent);
        return held;
    }

    @Test
    void aChildJustSubmittedIsAvailableWithoutBeingReadBackAndTheWorkflowIsReadOnce() {
        try (SteppedPool a = new SteppedPool(dir, PoolOptions.defaults("a"))) {
            a.store.workflowPut(SteppedPool.WF);
            ClaimedExecution held = heldParent(
                    a,
                    new WorkflowDocument(
                            "parent-hash",
                            "parent",
                            "{\"nodes\":[{\"id\":\"n\",\"workflow\":\"" + SteppedPool.WF.hash() + "\"}]}"));
            Map<String, Integer> calls = new java.util.concurrent.ConcurrentHashMap<>();
            ExecutionStore counting = (ExecutionStore) java.lang.reflect.Proxy.newProxyInstance(
                    ExecutionStore.class.getClassLoader(), new Class<?>[] {ExecutionStore.class}, (p, m, args) -> {
                        calls.merge(m.getName(), 1, Integer::sum);
                        try {
                            return m.invoke(a.store, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            ChildWorkflows c = children(a, counting, held);

            ChildWorkflows.Child first =
                    c.startNew(SteppedPool.WF.hash(), "{}", ChildKeys.itemKey(held.id(), "n", 0, 0), null);
            ChildWorkflows.Child second =
                    c.startNew(SteppedPool.WF.hash(), "{}", ChildKeys.itemKey(held.id(), "n", 1, 0), null);

            assertThat(List.of(first, second)).allSatisfy(child -> {
                assertThat(child.state()).isEqualTo(ExecutionState.AVAILABLE);
                assertThat(child.createdAt()).isNull();
            });
            assertThat(a.store.executionGet(first.id()))
                    .map(v -> v.idempotencyKey())
                    .contains(ChildKeys.itemKey(held.id(), "n", 0, 0));
            assertThat(calls)
                    .containsEntry("executionSubmitMany", 2)
                    .containsEntry("workflowGet", 1)
                    .doesNotContainKey("executionGetByKey");
        }
    }

    @Test
    void aChildStartedByAnotherAttemptSinceTheReadStandsWhenThisOneCannotStartIt() {
        try (SteppedPool a = new SteppedPool(dir, PoolOptions.defaults("a"))) {
            WorkflowDocument parentWf =
                    new WorkflowDocument("parent-hash", "parent", "{\"nodes\":[{\"id\":\"n\",\"workflow\":\"gone\"}]}");
            a.store.workflowPut(parentWf);
            long parent = a.store
                    .executionSubmitMany(List.of(SubmitRequest.now("default", parentWf.hash(), "parent", "{}", 1)))
                    .getFirst()
                    .executionId();
            ClaimedExecution held = a.claimAs("a", 1, Duration.ofMinutes(5)).getFirst();
            assertThat(held.id()).isEqualTo(parent);
            String key = ChildKeys.itemKey(parent, "n", 0, 0);
            long earlier = a.store
                    .executionSubmitMany(
                            List.of(SubmitRequest.now("default", SteppedPool.WF.hash(), SteppedPool.WF.name(), "{}", 3)
                                    .withIdempotencyKey(key)))
                    .getFirst()
                    .executionId();
            ChildWorkflows c = children(a, held);

            // The workflow under "gone" cannot be read, but the key's child exists: it is the answer.
            assertThat(c.startNew("gone", "{}", key, null).id()).isEqualTo(earlier);
            assertThatThrownBy(() -> c.startNew("gone", "{}", ChildKeys.itemKey(parent, "n", 1, 0), null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no workflow is stored under hash gone");
            assertThat(c.findAll(List.of(key, ChildKeys.itemKey(parent, "n", 1, 0))))
                    .containsOnlyKeys(key);
        }
    }
}
