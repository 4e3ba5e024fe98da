package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.queue.ChildKeys;
import io.nebula.worker.queue.ClaimedExecution;
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
        long now = pool.clock.nanoTime();
        Running r = new Running(held, now + Duration.ofMinutes(5).toNanos(), now);
        return new LeasedAttempt(r, Map.of(), null, pool.store, null, pool.clock).children();
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
