package io.nebula.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.queue.MapItems;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.queue.StopReason;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Map nodes in one attempt and across attempts: item outputs in input order, {@code item} and
 * {@code index}, {@code max_parallel}, the three failure policies, the item bound, items recorded
 * by an earlier attempt not run again, per-item idempotency keys, and batched item checkpoints.
 */
class RuntimeMapTest {

    /**
     * {@code each}: counts runs per {@code i} param and records idempotency keys; fails when {@code
     * fail} is true (retryably when {@code retryable}); blocks until interrupted when {@code block}
     * is true; returns {@code value} (or {@code i}).
     */
    static final class Each implements Action {
        final boolean nonBlocking;
        final Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
        final List<String> keys = new CopyOnWriteArrayList<>();
        final CountDownLatch blocked = new CountDownLatch(1);
        final AtomicInteger current = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        volatile CyclicBarrier barrier;

        Each(boolean nonBlocking) {
            this.nonBlocking = nonBlocking;
        }

        @Override
        public String name() {
            return "each";
        }

        @Override
        public boolean nonBlocking() {
            return nonBlocking;
        }

        @Override
        public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException, InterruptedException {
            int i = params.path("i").asInt();
            runs.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet();
            keys.add(ctx.idempotencyKey());
            most.accumulateAndGet(current.incrementAndGet(), Math::max);
            try {
                if (barrier != null) {
                    try {
                        barrier.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw ActionException.permanent("the other items never arrived: " + e);
                    }
                }
                if (params.path("block").asBoolean()) {
                    blocked.countDown();
                    new CountDownLatch(1).await();
                }
                if (params.path("fail").asBoolean()) {
                    String message = "item " + i + " broke";
                    throw params.path("retryable").asBoolean()
                            ? ActionException.retryable(message)
                            : ActionException.permanent(message);
                }
                JsonNode v = params.get("value");
                return v == null ? JsonNodeFactory.instance.numberNode(i) : v;
            } finally {
                current.decrementAndGet();
            }
        }

        int runs(int i) {
            AtomicInteger n = runs.get(i);
            return n == null ? 0 : n.get();
        }
    }

    private static String map(String mapFields, String params) {
        return """
                {"name": "m", "nodes": [
                  {"id": "each", "action": "each", "map": {%s},
                   "params": %s},
                  {"id": "after", "action": "noop", "depends_on": ["each"]}],
                 "output": "${{ nodes.each.output }}"}""".formatted(mapFields, params);
    }

    private static final String PLAIN = "{\"i\": \"${{ index }}\", \"value\": \"${{ item * 10 }}\"}";

    private static String range(int n) {
        return "{\"xs\": " + IntStream.range(0, n).boxed().toList() + "}";
    }

    @Test
    void theOutputIsTheItemsOutputsInInputOrderWithItemAndIndexBound() throws Exception {
        var each = new Each(false);
        var kit = new RuntimeKit(each);
        var a = kit.attempt(
                map("\"items\": \"${{ input.xs }}\", \"max_parallel\": 3", PLAIN), "{\"xs\": [3, 1, 2, 7]}");

        RunOutcome o = a.runWith(kit.runtime);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(((RunOutcome.Succeeded) o).outputJson()).isEqualTo("[30,10,20,70]");
        // <execution id>:<node id>:<index>, after whatever the node's own key starts with.
        assertThat(each.keys)
                .hasSize(4)
                .doesNotHaveDuplicates()
                .allSatisfy(k -> assertThat(k).matches("(.+:)?7:each:[0-3]"));
    }

    @Test
    void maxParallelBoundsHowManyItemsRunAtOnce() throws Exception {
        var each = new Each(false);
        each.barrier = new CyclicBarrier(3);
        var kit = new RuntimeKit(each);
        var a = kit.attempt(map("\"items\": \"${{ input.xs }}\", \"max_parallel\": 3", PLAIN), range(9));

        RunOutcome o = a.runWith(kit.runtime);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(each.most.get()).isEqualTo(3);
    }

    @Test
    void anEmptyListGivesAnEmptyOutput() throws Exception {
        var each = new Each(false);
        var kit = new RuntimeKit(each);

        RunOutcome o = kit.attempt(map("\"items\": \"${{ input.xs }}\"", PLAIN), range(0))
                .runWith(kit.runtime);

        assertThat(((RunOutcome.Succeeded) o).outputJson()).isEqualTo("[]");
        assertThat(each.runs).isEmpty();
    }

    private static final String FAILING =
            "{\"i\": \"${{ index }}\", \"fail\": \"${{ index in input.bad }}\", \"retryable\": false}";

    @Test
    void failFastStartsNoItemAfterTheFirstFailure() throws Exception {
        var each = new Each(false);
        var kit = new RuntimeKit(each);
        var a = kit.attempt(
                map("\"items\": \"${{ input.xs }}\", \"max_parallel\": 1", FAILING),
                "{\"xs\": [0,1,2,3,4,5,6,7,8,9], \"bad\": [2, 5]}");

        var o = (RunOutcome.Failed) a.runWith(kit.runtime);

        assertThat(o.retryable()).isFalse();
        assertThat(o.error())
                .startsWith("node 'each' (each): 1 of 10 items failed (on_item_failure fail_fast), 7 not run; first: "
                        + "item 2 of node 'each' (each) failed after 1 attempt: item 2 broke");
        assertThat(each.runs.keySet()).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void finishAllRunsEveryItemThenFails() throws Exception {
        var each = new Each(false);
        var kit = new RuntimeKit(each);
        var a = kit.attempt(
                map("\"items\": \"${{ input.xs }}\", \"on_item_failure\": \"finish_all\"", FAILING),
                "{\"xs\": [0,1,2,3,4,5,6,7,8,9], \"bad\": [2, 5]}");

        var o = (RunOutcome.Failed) a.runWith(kit.runtime);

        assertThat(o.error())
                .startsWith("node 'each' (each): 2 of 10 items failed (on_item_failure finish_all); first: ");
        assertThat(each.runs.keySet()).hasSize(10);
        List<NodeResult> all = new ArrayList<>(a.written());
        all.addAll(o.unsaved());
        assertThat(all)
                .filteredOn(r -> r.status() == NodeStatus.FAILED && MapItems.indexOf(r.nodeId()) >= 0)
                .extracting(NodeResult::nodeId)
                .containsExactlyInAnyOrder("each[2]", "each[5]");
    }

    @Test
    void tolerateSucceedsWithUpToNFailuresWhoseOutputsAreNull() throws Exception {
        var each = new Each(false);
        var kit = new RuntimeKit(each);
        var a = kit.attempt(
                map(
                        "\"items\": \"${{ input.xs }}\", \"on_item_failure\": \"tolerate\", \"max_failed_items\": 2",
                        FAILING),
                "{\"xs\": [0,1,2,3,4,5,6], \"bad\": [2, 5]}");

        var o = (RunOutcome.Succeeded) a.runWith(kit.runtime);

        assertThat(o.outputJson()).isEqualTo("[0,1,null,3,4,null,6]");
    }

    @Test
    void tolerateFailsOnceMoreThanNFailedAndStartsNoMoreItems() throws Exception {
        var each = new Each(false);
        var kit = new RuntimeKit(each);
        var a = kit.attempt(
                map(
                        "\"items\": \"${{ input.xs }}\", \"max_parallel\": 1, \"on_item_failure\": \"tolerate\","
                                + " \"max_failed_items\": 1",
                        FAILING),
                "{\"xs\": [0,1,2,3,4,5,6,7,8,9], \"bad\": [2, 5]}");

        var o = (RunOutcome.Failed) a.runWith(kit.runtime);

        assertThat(o.error())
                .startsWith("node 'each' (each): 2 of 10 items failed (on_item_failure tolerate, max_failed_items 1),"
                        + " 4 not run; first: ");
        assertThat(each.runs.keySet()).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
    }

    @Test
    void moreItemsThanTheBoundFailTheNodeNamingTheSetting() throws Exception {
        var each = new Each(false);
        var kit = new RuntimeKit(
                RuntimeOptions.defaults().withMaxMapItems(5), HttpActionOptions.defaults(), Clock.systemUTC(), each);

        var o = (RunOutcome.Failed) kit.attempt(map("\"items\": \"${{ input.xs }}\"", PLAIN), range(6))
                .runWith(kit.runtime);

        assertThat(o.retryable()).isFalse();
        assertThat(o.error())
                .isEqualTo("node 'each' (each) items: 6 items, more than the limit of 5 (limits.map_items)");
        assertThat(each.runs).isEmpty();
    }

    @Test
    void itemsThatAreNotAListFailTheNode() throws Exception {
        var kit = new RuntimeKit(new Each(false));

        var o = (RunOutcome.Failed) kit.attempt(map("\"items\": \"${{ input.xs }}\"", PLAIN), "{\"xs\": \"abc\"}")
                .runWith(kit.runtime);

        assertThat(o.error())
                .isEqualTo(
                        "node 'each' (each) items: expression 'input.xs' failed: items must be a list, got a string");
    }

    @Test
    void aRetryRunsOnlyTheItemsThatWereNotRecorded() throws Exception {
        var each = new Each(false);
        var kit = new RuntimeKit(each);
        String flaky = "{\"i\": \"${{ index }}\", \"fail\": \"${{ execution.attempt == 1 && index in input.bad }}\","
                + " \"retryable\": true}";
        var a = kit.attempt(
                map("\"items\": \"${{ input.xs }}\", \"on_item_failure\": \"finish_all\"", flaky),
                "{\"xs\": [0,1,2,3,4,5,6,7,8,9], \"bad\": [3, 7]}");

        RunOutcome o = kit.runToEnd(a, 3);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(((RunOutcome.Succeeded) o).outputJson()).isEqualTo("[0,1,2,3,4,5,6,7,8,9]");
        assertThat(kit.outcomes.get(0)).isInstanceOf(RunOutcome.Failed.class);
        assertThat(((RunOutcome.Failed) kit.outcomes.get(0)).retryable()).isTrue();
        for (int i = 0; i < 10; i++) {
            assertThat(each.runs(i)).as("runs of item %d", i).isEqualTo(i == 3 || i == 7 ? 2 : 1);
        }
    }

    @Test
    void aStopInTheMiddleKeepsTheFinishedItemsAndTheNextAttemptRunsOnlyTheRest() throws Exception {
        var each = new Each(false);
        var kit = new RuntimeKit(each);
        String def = map(
                "\"items\": \"${{ input.xs }}\", \"max_parallel\": 1",
                "{\"i\": \"${{ index }}\", \"block\": \"${{ execution.attempt == 1 && index == 5 }}\"}");
        var first = kit.attempt(def, range(10));

        CompletableFuture<RunOutcome> run = CompletableFuture.supplyAsync(() -> first.runWith(kit.runtime));
        assertThat(each.blocked.await(10, TimeUnit.SECONDS)).isTrue();
        first.requestStop(StopReason.SHUTDOWN);
        RunOutcome stopped = run.get(30, TimeUnit.SECONDS);
        assertThat(stopped).isInstanceOf(RunOutcome.Stopped.class);

        RunOutcome o = first.next(stopped).runWith(kit.runtime);

        assertThat(((RunOutcome.Succeeded) o).outputJson()).isEqualTo("[0,1,2,3,4,5,6,7,8,9]");
        for (int i = 0; i < 10; i++) {
            assertThat(each.runs(i)).as("runs of item %d", i).isEqualTo(i == 5 ? 2 : 1);
        }
    }

    @Test
    void inlineItemsAreCheckpointedInBatchesNotOneByOne() throws Exception {
        var each = new Each(true);
        var kit = new RuntimeKit(each);
        int n = 2_500;
        var a = kit.attempt(map("\"items\": \"${{ input.xs }}\"", "{\"i\": \"${{ index }}\"}"), range(n));

        RunOutcome o = a.runWith(kit.runtime);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        List<NodeResult> all = new ArrayList<>(a.written());
        all.addAll(o.unsaved());
        assertThat(all).filteredOn(r -> MapItems.indexOf(r.nodeId()) >= 0).hasSize(n);
        // One checkpoint call per round of at most ExecutionRun.INLINE_ITEMS items.
        assertThat(a.batches()).hasSizeLessThanOrEqualTo(n / ExecutionRun.INLINE_ITEMS + 2);
    }

    @Test
    void anItemWhoseParamsFailToEvaluateIsAFailedItem() throws Exception {
        var each = new Each(false);
        var kit = new RuntimeKit(each);
        var a = kit.attempt(
                map(
                        "\"items\": \"${{ input.people }}\", \"on_item_failure\": \"tolerate\", \"max_failed_items\": 1",
                        "{\"i\": \"${{ index }}\", \"value\": \"${{ item.name }}\"}"),
                "{\"people\": [{\"name\": \"ann\"}, {\"nom\": \"bob\"}, {\"name\": \"cy\"}]}");

        var o = (RunOutcome.Succeeded) a.runWith(kit.runtime);

        assertThat(o.outputJson()).isEqualTo("[\"ann\",null,\"cy\"]");
        List<NodeResult> all = new ArrayList<>(a.written());
        all.addAll(o.unsaved());
        assertThat(all)
                .filteredOn(r -> r.nodeId().equals("each[1]"))
                .singleElement()
                .satisfies(r -> assertThat(r.error()).startsWith("item 1 of node 'each' (each) params: "));
    }
}
