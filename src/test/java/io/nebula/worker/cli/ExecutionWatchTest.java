package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.Completions;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code submit --wait} prints, read from a real SQLite store. */
class ExecutionWatchTest {
    @TempDir
    Path dir;

    @Test
    void severalAttemptsBetweenTwoReadsArePrintedInTheirOrderAndOnlyTheLatestWaitHasADueTime() {
        try (ExecutionStore store = SqliteExecutionStore.open(dir.resolve("w.db"), StoreOptions.defaults("test"))) {
            store.migrate();
            store.workflowPut(new WorkflowDocument("h", "parent", "{\"name\":\"parent\"}"));
            long id = store.executionSubmitMany(List.of(SubmitRequest.now("default", "h", "parent", "{}", 3)))
                    .get(0)
                    .executionId();
            ExecutionWatch watch = new ExecutionWatch(id);
            watch.refresh(store);

            // A parent that looks at its children twice between two reads of the watch.
            for (int look = 0; look < 2; look++) {
                ClaimRequest request = new ClaimRequest("w1", List.of("default"), 1, Duration.ofSeconds(30));
                List<ClaimedExecution> claimed = new java.util.ArrayList<>();
                await().atMost(Duration.ofSeconds(10)).until(() -> claimed.addAll(store.executionClaim(request)));
                ClaimedExecution c = claimed.get(0);
                store.executionCompleteMany(List.of(Completions.awaitChildren(
                        c.lease(), "node 'each': waiting for child execution " + (10 + look), Duration.ofMillis(1))));
            }

            List<String> lines = watch.refresh(store);

            assertThat(lines)
                    .hasSize(4)
                    .satisfiesExactly(
                            l -> assertThat(l).startsWith("claimed by w1"),
                            l -> assertThat(l)
                                    .isEqualTo("node 'each': waiting for child execution 10"
                                            + " (the worker slot is free meanwhile)"),
                            l -> assertThat(l).startsWith("claimed by w1"),
                            l -> assertThat(l)
                                    .startsWith("node 'each': waiting for child execution 11; looking again at "));
        }
    }
}
