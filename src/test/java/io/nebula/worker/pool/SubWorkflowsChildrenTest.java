package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.ChildKeys;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The children a map's parent started, as cancel, retry and the listings find them, on a real SQLite store. */
class SubWorkflowsChildrenTest {
    @TempDir
    Path dir;

    private static final WorkflowDocument CHILD = new WorkflowDocument("child-hash", "child", "{\"name\":\"child\"}");
    private static final WorkflowDocument PARENT = new WorkflowDocument(
            "parent-hash",
            "parent",
            "{\"nodes\":[{\"id\":\"each\",\"workflow\":\"child-hash\",\"map\":{\"items\":\"${{ input }}\"}}]}");

    private static long submit(ExecutionStore store, WorkflowDocument wf, String key) {
        SubmitRequest r = SubmitRequest.now("default", wf.hash(), wf.name(), "{}", 1);
        return store.executionSubmitMany(List.of(key == null ? r : r.withIdempotencyKey(key)))
                .getFirst()
                .executionId();
    }

    /** {@code store}, counting the calls of each method by name in {@code calls}. */
    private static ExecutionStore counting(ExecutionStore store, Map<String, Integer> calls) {
        return (ExecutionStore) Proxy.newProxyInstance(
                ExecutionStore.class.getClassLoader(), new Class<?>[] {ExecutionStore.class}, (proxy, method, args) -> {
                    calls.merge(method.getName(), 1, Integer::sum);
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachItemsLatestGenerationInItemOrderAcrossReadsOfSeveralHundredItems() {
        try (ExecutionStore store = SqliteExecutionStore.open(dir.resolve("c.db"), StoreOptions.defaults("test"))) {
            store.migrate();
            store.workflowPut(CHILD);
            store.workflowPut(PARENT);
            long parent = submit(store, PARENT, null);
            List<Long> expected = new ArrayList<>();
            // No start record: the items are walked until 16 in a row have no child.
            for (int i = 0; i < 620; i++) {
                if (i == 3 || i == 530) {
                    expected.add(null);
                    continue;
                }
                long latest = submit(store, CHILD, ChildKeys.itemKey(parent, "each", i, 0));
                if (i == 2 || i == 510) {
                    submit(store, CHILD, ChildKeys.itemKey(parent, "each", i, 1));
                    latest = submit(store, CHILD, ChildKeys.itemKey(parent, "each", i, 2));
                }
                expected.add(latest);
            }
            ExecutionView view = store.executionGet(parent).orElseThrow();
            Map<String, Integer> reads = new java.util.concurrent.ConcurrentHashMap<>();

            List<SubWorkflows.Child> all = SubWorkflows.children(counting(store, reads), view);

            // Two reads of up to 500 items each; then, for each of the two items with a third
            // generation, a read of it and of the fourth, which it does not have.
            assertThat(reads).containsEntry("executionGetByKeys", 2).containsEntry("executionGetByKey", 4);

            assertThat(all).hasSize(618);
            for (SubWorkflows.Child c : all) {
                int item = Integer.parseInt(
                        c.nodeId().substring("each[".length(), c.nodeId().length() - 1));
                assertThat(c.execution().id()).as(c.nodeId()).isEqualTo(expected.get(item));
            }
            assertThat(all)
                    .extracting(SubWorkflows.Child::nodeId)
                    .startsWith("each[0]", "each[1]", "each[2]", "each[4]");
            List<java.util.Collection<String>> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
            assertThat(SubWorkflows.children(
                            (ExecutionStore) Proxy.newProxyInstance(
                                    ExecutionStore.class.getClassLoader(),
                                    new Class<?>[] {ExecutionStore.class},
                                    (proxy, method, args) -> {
                                        if (method.getName().equals("executionGetByKeys")) {
                                            asked.add(List.copyOf((java.util.Collection<String>) args[0]));
                                        }
                                        try {
                                            return method.invoke(store, args);
                                        } catch (InvocationTargetException e) {
                                            throw e.getCause();
                                        }
                                    }),
                            view,
                            3))
                    .extracting(SubWorkflows.Child::nodeId)
                    .containsExactly("each[0]", "each[1]", "each[2]");
            // A listing of three reads the keys of three items and a gap's worth, not of 500.
            assertThat(asked).singleElement().satisfies(keys -> assertThat(keys).hasSize(2 * (3 + 16)));
        }
    }
}
