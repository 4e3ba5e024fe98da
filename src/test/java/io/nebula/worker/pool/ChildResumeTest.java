package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.CancelResult;
import io.nebula.worker.queue.ChildKeys;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a parent's look queues again a child that was cancelled: only when the parent's own end
 * cancelled it and the parent runs again under this lease, with no cancel asked of it. On a real
 * SQLite store, the attempt built by hand.
 */
class ChildResumeTest {
    @TempDir
    Path dir;

    private SteppedPool pool;
    private long parent;
    private ClaimedExecution held;
    private long child;

    private void parentWithQueuedChild(SteppedPool a) {
        pool = a;
        WorkflowDocument wf = new WorkflowDocument(
                "parent-hash", "parent", "{\"nodes\":[{\"id\":\"down\",\"workflow\":\"wf-hash\"}]}");
        a.store.workflowPut(wf);
        parent = a.store
                .executionSubmitMany(List.of(SubmitRequest.now("default", wf.hash(), wf.name(), "{}", 1)))
                .getFirst()
                .executionId();
        held = a.claimAs("a", 1, Duration.ofMinutes(5)).getFirst();
        assertThat(held.id()).isEqualTo(parent);
        child = a.store
                .executionSubmitMany(
                        List.of(SubmitRequest.now("default", SteppedPool.WF.hash(), SteppedPool.WF.name(), "{}", 3)
                                .withIdempotencyKey(ChildKeys.key(parent, "down"))))
                .getFirst()
                .executionId();
    }

    private boolean resume() {
        long now = pool.clock.nanoTime();
        Running r = new Running(held, now + Duration.ofMinutes(5).toNanos(), now);
        return new LeasedAttempt(r, Map.of(), null, pool.store, null, pool.clock)
                .children()
                .resumeCancelledWithParent(child, parent);
    }

    @Test
    void aChildTheParentsEndCancelledIsQueuedAgainByTheParentRunningAgain() {
        try (SteppedPool a = new SteppedPool(dir, PoolOptions.defaults("a"))) {
            parentWithQueuedChild(a);
            // What a late cancel of the parent's earlier failure did.
            SubWorkflows.cancel(a.store, child, "parent execution " + parent + " failed", "w0");

            assertThat(resume()).isTrue();
            assertThat(a.state(child)).isEqualTo(ExecutionState.AVAILABLE);
        }
    }

    @Test
    void aChildAnOperatorCancelledOrThatOfAnotherParentStaysCancelled() {
        try (SteppedPool a = new SteppedPool(dir, PoolOptions.defaults("a"))) {
            parentWithQueuedChild(a);
            SubWorkflows.cancel(a.store, child, "parent execution " + (parent * 10) + " failed", "op");
            assertThat(resume()).as("the note names another execution").isFalse();

            assertThat(a.store.executionRetry(child, false, "op"))
                    .isEqualTo(io.nebula.worker.queue.RetryResult.REQUEUED);
            SubWorkflows.cancel(a.store, child, "not wanted", "op");
            assertThat(resume()).isFalse();
            assertThat(a.state(child)).isEqualTo(ExecutionState.CANCELLED);
        }
    }

    @Test
    void aParentBeingCancelledDoesNotReviveTheChildItsCancelCancelled() {
        try (SteppedPool a = new SteppedPool(dir, PoolOptions.defaults("a"))) {
            parentWithQueuedChild(a);
            // The cancel reaches the queued child at once; the parent's worker sees it at its next heartbeat.
            assertThat(SubWorkflows.cancel(a.store, parent, "withdrawn", "op")).isEqualTo(CancelResult.REQUESTED);
            assertThat(a.state(child)).isEqualTo(ExecutionState.CANCELLED);

            assertThat(resume()).isFalse();
            assertThat(a.state(child)).isEqualTo(ExecutionState.CANCELLED);
        }
    }
}
