package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.Completions;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code submit --wait} prints, read from a real SQLite store. */
class ExecutionWatchTest {
    @TempDir
    Path dir;

    /** Migrates {@code store} and submits one execution of a workflow named {@code name}. */
    private static long submitted(ExecutionStore store, String name) {
        store.migrate();
        store.workflowPut(new WorkflowDocument("h", name, "{\"name\":\"" + name + "\"}"));
        return store.executionSubmitMany(List.of(SubmitRequest.now("default", "h", name, "{}", 3)))
                .get(0)
                .executionId();
    }

    @Test
    void severalAttemptsBetweenTwoReadsArePrintedInTheirOrderAndOnlyTheLatestWaitHasADueTime() {
        try (ExecutionStore store = SqliteExecutionStore.open(dir.resolve("w.db"), StoreOptions.defaults("test"))) {
            long id = submitted(store, "parent");
            ExecutionWatch watch = new ExecutionWatch(id);
            watch.refresh(store);

            // A parent that looks at its children twice between two reads of the watch.
            for (int look = 0; look < 2; look++) {
                ClaimedExecution c = claim(store);
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

    /**
     * {@code store}, doing {@code step} once when {@code method} is called for the {@code nth} time
     * (from 1): the real database, with something happening between two of a refresh's reads.
     */
    private static ExecutionStore between(ExecutionStore store, String method, int nth, Runnable step) {
        AtomicInteger calls = new AtomicInteger();
        return (ExecutionStore) Proxy.newProxyInstance(
                ExecutionStore.class.getClassLoader(), new Class<?>[] {ExecutionStore.class}, (proxy, m, args) -> {
                    if (m.getName().equals(method) && calls.incrementAndGet() == nth) {
                        step.run();
                    }
                    try {
                        return m.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Claims the one execution, once it is due by the store's clock. */
    private static ClaimedExecution claim(ExecutionStore store) {
        ClaimRequest request = new ClaimRequest("w1", List.of("default"), 1, Duration.ofSeconds(30));
        List<ClaimedExecution> claimed = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> claimed.addAll(store.executionClaim(request)));
        return claimed.get(0);
    }

    /**
     * The execution finishes while a refresh reads it (after its history, before its row): the
     * state the watch reports is at least as new as the lines it printed, and the lines reach the
     * end, so {@code submit --wait} never prints "succeeded" and then exits as if time ran out.
     */
    @Test
    void anExecutionThatFinishesDuringARefreshIsReportedFinishedWithItsLastLines() {
        try (ExecutionStore store = SqliteExecutionStore.open(dir.resolve("w.db"), StoreOptions.defaults("test"))) {
            long id = submitted(store, "hello");
            ExecutionWatch watch = new ExecutionWatch(id);
            watch.refresh(store);
            assertThat(watch.terminal()).isFalse();
            ExecutionStore racing = between(
                    store,
                    "nodeResultList",
                    1,
                    () -> store.executionCompleteMany(
                            List.of(Completions.succeed(claim(store).lease(), "{\"ok\":true}", List.of()))));

            List<String> lines = watch.refresh(racing);

            assertThat(watch.view().state()).isEqualTo(ExecutionState.SUCCEEDED);
            assertThat(watch.terminal()).isTrue();
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("claimed by w1"));
            assertThat(lines.get(lines.size() - 1)).startsWith("succeeded");

            // Once the history holds the end, a refresh of the finished execution reads it once.
            assertThat(watch.refresh(between(store, "historyList", 2, () -> {
                        throw new AssertionError("the history of a finished execution was read again");
                    })))
                    .isEmpty();
        }
    }

    /**
     * The execution fails after the history was read and an operator retries it before the history
     * is read again: the watch follows the execution on instead of reporting the failure with the
     * retry's lines after it.
     */
    @Test
    void aRetryBetweenTheReadsOfAFailedRowIsFollowedNotReportedAsTheEnd() {
        try (ExecutionStore store = SqliteExecutionStore.open(dir.resolve("w.db"), StoreOptions.defaults("test"))) {
            long id = submitted(store, "hello");
            ClaimedExecution running = claim(store);
            ExecutionWatch watch = new ExecutionWatch(id);
            watch.refresh(store);
            ExecutionStore failing = between(
                    store,
                    "nodeResultList",
                    1,
                    () -> store.executionCompleteMany(
                            List.of(Completions.fail(running.lease(), "boom", false, Duration.ZERO, List.of()))));
            ExecutionStore racing =
                    between(failing, "historyList", 2, () -> store.executionRetry(id, false, "operator"));

            List<String> lines = watch.refresh(racing);

            assertThat(watch.view().state()).isEqualTo(ExecutionState.AVAILABLE);
            assertThat(watch.terminal()).isFalse();
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("failed"));
            assertThat(lines.get(lines.size() - 1)).startsWith("queued again");
        }
    }
}
