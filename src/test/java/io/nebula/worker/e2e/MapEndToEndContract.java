package io.nebula.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.app.NebulaWorker;
import io.nebula.worker.app.StoreFactory;
import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.pool.PoolOptions;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.MapItems;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.testing.Terminal;
import io.nebula.worker.workflow.LoadedWorkflow;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Map nodes run by real workers on a real store: a map over 1,000 items whose worker stops in the
 * middle (a graceful stop with no grace: the running items are interrupted and the execution is
 * released) resumes on another worker, which runs only the items not recorded; the failure
 * policies and the item bound end the execution as they should, with item results stored.
 */
abstract class MapEndToEndContract extends EndToEndContract {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * {@code test.item}: counts runs per item (execution, node, index); while {@link #hold} is set, every run
     * after the {@code holdAfter}-th blocks until interrupted (a worker stopped mid-map); fails
     * permanently when its {@code fail} param is true.
     */
    static final class ItemAction implements Action {
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        /** The idempotency key of every run. */
        final List<String> keys = new CopyOnWriteArrayList<>();

        final AtomicInteger total = new AtomicInteger();
        final CountDownLatch holding = new CountDownLatch(1);
        volatile boolean hold;
        volatile int holdAfter = Integer.MAX_VALUE;

        @Override
        public String name() {
            return "test.item";
        }

        @Override
        public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException, InterruptedException {
            runs.computeIfAbsent(
                            ctx.executionId() + ":" + ctx.nodeId() + ":" + ctx.itemIndex(), k -> new AtomicInteger())
                    .incrementAndGet();
            keys.add(ctx.idempotencyKey());
            if (hold && total.incrementAndGet() > holdAfter) {
                holding.countDown();
                new CountDownLatch(1).await();
            }
            if (params.path("fail").asBoolean()) {
                throw ActionException.permanent("item " + params.path("i").asInt() + " refused");
            }
            return JsonNodeFactory.instance.numberNode(params.path("i").asInt() * 2);
        }
    }

    private final ItemAction action = new ItemAction();

    NebulaWorker worker(String id) {
        return started(id, 2, action);
    }

    private static String definition(String mapFields) {
        return """
                {"name": "map-e2e", "nodes": [
                  {"id": "each", "action": "test.item", "map": {%s},
                   "params": {"i": "${{ index }}", "fail": "${{ index in input.bad }}"}},
                  {"id": "total", "action": "transform", "depends_on": ["each"],
                   "params": {"value": "${{ nodes.each.output.size() }}"}}],
                 "output": {"items": "${{ nodes.each.output }}", "count": "${{ nodes.total.output }}"}}""".formatted(mapFields);
    }

    private static String input(int n, List<Integer> bad) {
        return "{\"xs\": " + IntStream.range(0, n).boxed().toList() + ", \"bad\": " + bad + "}";
    }

    private long submit(WorkflowClient c, String mapFields, String input) throws Exception {
        LoadedWorkflow wf = c.workflows().loadText(definition(mapFields), "map-e2e.json");
        return c.submit(wf, input, SubmitOptions.defaults()).executionId();
    }

    private static Map<Integer, NodeResult> items(List<NodeResult> results) {
        return results.stream()
                .filter(r -> "each".equals(MapItems.nodeOf(r.nodeId())) && MapItems.indexOf(r.nodeId()) >= 0)
                .collect(Collectors.toMap(r -> MapItems.indexOf(r.nodeId()), r -> r));
    }

    @Test
    void aWorkerStoppedInTheMiddleOfAThousandItemsLeavesOnlyTheUnrecordedOnesToRunAgain() throws Exception {
        int n = 1_000;
        action.hold = true;
        action.holdAfter = 400;
        NebulaWorker first = worker("w1");
        long id = submit(first.client(), "\"items\": \"${{ input.xs }}\", \"max_parallel\": 8", input(n, List.of()));

        assertThat(action.holding.await(60, java.util.concurrent.TimeUnit.SECONDS))
                .isTrue();
        first.worker().stop(Duration.ZERO);
        Set<Integer> recorded;
        try (ExecutionStore reader = StoreFactory.open(config(), "reader")) {
            assertThat(reader.executionGet(id).orElseThrow().state()).isEqualTo(ExecutionState.AVAILABLE);
            recorded = items(reader.nodeResultList(id)).keySet();
        }
        // The items that returned before the stop are recorded (the release writes the last ones);
        // at most the max_parallel items in flight could have been cut off as they returned.
        assertThat(recorded).hasSizeBetween(400 - 8, 400);

        action.hold = false;
        NebulaWorker second = worker("w2");
        ExecutionView v = Terminal.await(second.client().store(), id, Duration.ofSeconds(120));

        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        JsonNode out = JSON.readTree(v.outputJson());
        assertThat(out.path("count").asInt()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(out.path("items").get(i).asInt()).isEqualTo(2 * i);
        }
        for (int i : recorded) {
            assertThat(action.runs.get(id + ":each:" + i).get())
                    .as("runs of recorded item %d", i)
                    .isEqualTo(1);
        }
        List<String> again = action.runs.entrySet().stream()
                .filter(e -> e.getValue().get() > 1)
                .map(Map.Entry::getKey)
                .toList();
        // Only items in flight when the worker stopped run twice: at most max_parallel of them.
        assertThat(again).hasSizeLessThanOrEqualTo(8);
        assertThat(action.runs).hasSize(n);
        Map<Integer, NodeResult> stored = items(second.client().store().nodeResultList(id));
        assertThat(stored).hasSize(n);
        assertThat(stored.values()).allMatch(r -> r.status() == NodeStatus.SUCCEEDED);
    }

    @Test
    void tenThousandNoOpItemsAreCheckpointedInAFewDozenRoundTrips() throws Exception {
        WorkerConfig c = config();
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        AtomicInteger checkpoints = new AtomicInteger();
        ExecutionStore target = StoreFactory.open(c, "w1");
        ExecutionStore counted = (ExecutionStore) java.lang.reflect.Proxy.newProxyInstance(
                ExecutionStore.class.getClassLoader(), new Class<?>[] {ExecutionStore.class}, (proxy, m, args) -> {
                    if (m.getParameterCount() == 0 && m.getReturnType().isAssignableFrom(ExecutionStore.class)) {
                        // A role's accessor: the pool asks once for the role it uses; answering
                        // with the proxy keeps every later call of that role counted.
                        return proxy;
                    }
                    calls.computeIfAbsent(m.getName(), k -> new AtomicInteger()).incrementAndGet();
                    if (m.getName().equals("nodeCheckpointMany")) {
                        checkpoints.addAndGet(((List<?>) args[0]).size());
                    }
                    try {
                        return m.invoke(target, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        NebulaWorker w = NebulaWorker.builder()
                .config(c)
                .workerId("w1")
                .store(counted, true)
                .options(PoolOptions.from(c, "w1").withConcurrency(2))
                .build();
        start(w);
        int n = 10_000;
        LoadedWorkflow wf = w.client().workflows().loadText("""
                        {"name": "noop-map", "nodes": [
                          {"id": "each", "action": "noop", "map": {"items": "${{ input.xs }}"}}],
                         "output": "${{ nodes.each.output.size() }}"}""", "noop-map.json");
        calls.clear();
        checkpoints.set(0);
        long t0 = System.nanoTime();
        long id = w.client()
                .submit(wf, input(n, List.of()), SubmitOptions.defaults())
                .executionId();
        ExecutionView v = Terminal.await(w.client().store(), id, Duration.ofSeconds(120));
        long took = System.nanoTime() - t0;

        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(v.outputJson()).isEqualTo(Integer.toString(n));
        long r0 = System.nanoTime();
        assertThat(items(w.client().store().nodeResultList(id))).hasSize(n);
        long readMillis = (System.nanoTime() - r0) / 1_000_000;
        int writes =
                calls.getOrDefault("nodeCheckpointMany", new AtomicInteger()).get();
        // Items checkpointed together: at least 100 per checkpoint write on average.
        assertThat(writes).isPositive().isLessThanOrEqualTo(n / 100);
        System.out.printf(
                "map of %d no-op items on %s: %d checkpoint writes carrying %d results, %d completions, %.1f ms"
                        + " submit to end (%.1f us per item), nodes read in %d ms%n",
                n,
                getClass().getSimpleName(),
                writes,
                checkpoints.get(),
                calls.getOrDefault("executionCompleteMany", new AtomicInteger()).get(),
                took / 1e6,
                took / 1e3 / n,
                readMillis);
    }

    @Test
    void failFastEndsTheExecutionWithTheFinishedItemsStored() throws Exception {
        WorkflowClient c = worker("w1").client();
        long id = submit(c, "\"items\": \"${{ input.xs }}\", \"max_parallel\": 1", input(20, List.of(4)));

        ExecutionView v = Terminal.await(c.store(), id, Duration.ofSeconds(60));

        assertThat(v.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(v.lastError())
                .startsWith("node 'each' (test.item): 1 of 20 items failed (on_item_failure fail_fast), 15 not run;");
        Map<Integer, NodeResult> stored = items(c.store().nodeResultList(id));
        assertThat(stored.keySet()).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat(stored.get(4).status()).isEqualTo(NodeStatus.FAILED);
        assertThat(stored.get(4).error()).contains("item 4 refused");
    }

    @Test
    void finishAllRunsEveryItemAndFailsAtTheEnd() throws Exception {
        WorkflowClient c = worker("w1").client();
        long id = submit(
                c, "\"items\": \"${{ input.xs }}\", \"on_item_failure\": \"finish_all\"", input(20, List.of(4, 11)));

        ExecutionView v = Terminal.await(c.store(), id, Duration.ofSeconds(60));

        assertThat(v.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(v.lastError())
                .startsWith("node 'each' (test.item): 2 of 20 items failed (on_item_failure finish_all);");
        Map<Integer, NodeResult> stored = items(c.store().nodeResultList(id));
        assertThat(stored).hasSize(20);
        assertThat(stored.values())
                .filteredOn(r -> r.status() == NodeStatus.FAILED)
                .extracting(NodeResult::nodeId)
                .containsExactlyInAnyOrder("each[4]", "each[11]");
    }

    @Test
    void tolerateSucceedsWithNullsForTheFailedItems() throws Exception {
        WorkflowClient c = worker("w1").client();
        long id = submit(
                c,
                "\"items\": \"${{ input.xs }}\", \"on_item_failure\": \"tolerate\", \"max_failed_items\": 2",
                input(5, List.of(1, 3)));

        ExecutionView v = Terminal.await(c.store(), id, Duration.ofSeconds(60));

        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(JSON.readTree(v.outputJson()))
                .isEqualTo(JSON.readTree("{\"items\": [0, null, 4, null, 8], \"count\": 5}"));
    }

    @Test
    void moreItemsThanTheBoundFailWithoutRunningAny() throws Exception {
        WorkflowClient c = worker("w1").client();
        int bound = config().limits().mapItems();
        long id = submit(c, "\"items\": \"${{ input.xs }}\"", input(bound + 1, List.of()));

        ExecutionView v = Terminal.await(c.store(), id, Duration.ofSeconds(60));

        assertThat(v.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(v.lastError())
                .isEqualTo("node 'each' (test.item) items: " + (bound + 1) + " items, more than the limit of " + bound
                        + " (limits.map_items)");
        assertThat(action.runs).isEmpty();
    }

    @Test
    void eachItemsIdempotencyKeyHoldsTheStoresInstallationIdAndTheItemsIndex() throws Exception {
        WorkflowClient c = worker("w1").client();
        long id = submit(c, "\"items\": \"${{ input.xs }}\", \"max_parallel\": 2", input(3, List.of()));

        ExecutionView v = Terminal.await(c.store(), id, Duration.ofSeconds(60));

        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        String installation = c.store().installation().id();
        assertThat(installation).isNotBlank();
        assertThat(action.keys)
                .containsExactlyInAnyOrder(
                        installation + ":" + id + ":each:0",
                        installation + ":" + id + ":each:1",
                        installation + ":" + id + ":each:2");
    }
}
