package io.nebula.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.app.NebulaWorker;
import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.pool.SubWorkflows;
import io.nebula.worker.queue.ChildKeys;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.RetryResult;
import io.nebula.worker.testing.Terminal;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Sub-workflows run by real workers on a real store: a chain of three workflows (top starts
 * middle, middle starts leaf) whose worker is stopped while each level runs, each time resumed by
 * a new worker, ends with one execution per level and the leaf's output at the top; cancelling a
 * parent cancels its children; retrying a parent whose child succeeded reuses that child.
 * Workers are stopped in-process with no grace (running nodes are interrupted, executions
 * released), not killed.
 */
abstract class SubWorkflowEndToEndContract extends EndToEndContract {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * {@code test.step}: counts runs per execution and node; when its {@code level} param equals
     * {@link #holdAt}, blocks until interrupted; when it equals {@link #failAt}, and on the first
     * run of a {@code fail_once} step, fails permanently. Returns {@code "<level> done"}.
     */
    static final class Step implements Action {
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        volatile String holdAt;
        volatile String failAt;
        volatile CountDownLatch holding = new CountDownLatch(1);

        @Override
        public String name() {
            return "test.step";
        }

        @Override
        public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException, InterruptedException {
            int run = runs.computeIfAbsent(ctx.executionId() + ":" + ctx.nodeId(), k -> new AtomicInteger())
                    .incrementAndGet();
            String level = params.path("level").asString();
            if (level.equals(holdAt)) {
                holding.countDown();
                new CountDownLatch(1).await();
            }
            if (level.equals(failAt)) {
                throw ActionException.permanent(level + " refused");
            }
            if (params.path("fail_once").asBoolean() && run == 1) {
                throw ActionException.permanent(level + " refused its first run");
            }
            return JsonNodeFactory.instance.stringNode(level + " done");
        }

        /** Fails every run at {@code level} ({@code null}: none) for good. */
        void failAt(String level) {
            failAt = level;
        }

        void holdAt(String level) {
            holding = new CountDownLatch(1);
            holdAt = level;
        }
    }

    private final Step step = new Step();

    NebulaWorker worker(String id) {
        return started(id, 4, step);
    }

    @BeforeEach
    void writeChain() throws Exception {
        Files.writeString(tmp.resolve("leaf.yaml"), """
                name: leaf
                nodes:
                  - id: work
                    action: test.step
                    params: { level: leaf, n: "${{ input.n }}" }
                output: { leaf: "${{ nodes.work.output }}", n: "${{ input.n }}" }
                """);
        Files.writeString(tmp.resolve("middle.yaml"), """
                name: middle
                nodes:
                  - id: work
                    action: test.step
                    params: { level: middle }
                  - id: down
                    workflow: leaf.yaml
                    depends_on: [work]
                    input: { n: "${{ input.n + 1 }}" }
                output: { middle: "${{ nodes.work.output }}", below: "${{ nodes.down.output }}" }
                """);
        Files.writeString(tmp.resolve("top.yaml"), """
                name: top
                nodes:
                  - id: work
                    action: test.step
                    params: { level: top }
                  - id: down
                    workflow: middle.yaml
                    depends_on: [work]
                    input: { n: "${{ input.n + 1 }}" }
                  - id: check
                    action: test.step
                    depends_on: [down]
                    params: { level: check, fail_once: "${{ input.fail_once }}" }
                output: { top: "${{ nodes.work.output }}", below: "${{ nodes.down.output }}" }
                """);
    }

    private long submit(WorkflowClient c, String input) throws Exception {
        return c.submit(c.load(tmp.resolve("top.yaml")), input, SubmitOptions.defaults())
                .executionId();
    }

    private ExecutionView child(WorkflowClient c, long parent) {
        return c.store().executionGetByKey(ChildKeys.key(parent, "down")).orElseThrow();
    }

    @Test
    void aChainOfThreeStoppedAtEachLevelEndsWithOneExecutionPerLevel() throws Exception {
        step.holdAt("top");
        NebulaWorker w1 = worker("w1");
        long top = submit(w1.client(), "{\"n\": 1, \"fail_once\": false}");
        assertThat(step.holding.await(30, TimeUnit.SECONDS)).isTrue();
        w1.worker().stop(Duration.ZERO);

        for (String level : List.of("middle", "leaf")) {
            step.holdAt(level);
            NebulaWorker w = worker("w-" + level);
            assertThat(step.holding.await(60, TimeUnit.SECONDS))
                    .as("reached " + level)
                    .isTrue();
            w.worker().stop(Duration.ZERO);
        }

        step.holdAt(null);
        WorkflowClient c = worker("w-last").client();
        ExecutionView v = Terminal.await(c.store(), top, Duration.ofSeconds(120));

        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(JSON.readTree(v.outputJson()))
                .isEqualTo(JSON.readTree("{\"top\": \"top done\", \"below\": {\"middle\": \"middle done\","
                        + " \"below\": {\"leaf\": \"leaf done\", \"n\": 3}}}"));
        ExecutionView middle = child(c, top);
        ExecutionView leaf = child(c, middle.id());
        assertThat(middle.state()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(leaf.state()).isEqualTo(ExecutionState.SUCCEEDED);
        // One execution per level: the store holds exactly the three of them.
        assertThat(c.store().executionList(new io.nebula.worker.queue.ExecutionFilter(null, null, null, 100)))
                .extracting(ExecutionView::id)
                .containsExactlyInAnyOrder(top, middle.id(), leaf.id());
        // Each interrupted step ran once more; nothing else ran twice.
        assertThat(step.runs.get(top + ":work").get()).isEqualTo(2);
        assertThat(step.runs.get(middle.id() + ":work").get()).isEqualTo(2);
        assertThat(step.runs.get(leaf.id() + ":work").get()).isEqualTo(2);
        assertThat(step.runs.get(top + ":check").get()).isEqualTo(1);
        assertThat(SubWorkflows.parent(leaf)).hasValue(new ChildKeys.Parent(middle.id(), "down"));
        assertThat(SubWorkflows.children(c.store(), c.get(top).orElseThrow()))
                .singleElement()
                .satisfies(ch -> assertThat(ch.execution().id()).isEqualTo(middle.id()));
    }

    @Test
    void aNodeBesideARunningChildRunsWithoutWaitingForIt() throws Exception {
        // The child is declared first, so it is the first ready node the parent looks at.
        Files.writeString(tmp.resolve("beside.yaml"), """
                name: beside
                nodes:
                  - id: down
                    workflow: leaf.yaml
                    input: { n: 1 }
                  - id: side
                    action: test.step
                    params: { level: side }
                """);
        step.holdAt("leaf");
        WorkflowClient c = worker("w1").client();
        long parent = c.submit(c.load(tmp.resolve("beside.yaml")), "{}", SubmitOptions.defaults())
                .executionId();
        assertThat(step.holding.await(60, TimeUnit.SECONDS)).isTrue();

        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> c.store().nodeResultList(parent).stream()
                        .anyMatch(r -> r.nodeId().equals("side")
                                && r.status() == io.nebula.worker.queue.NodeStatus.SUCCEEDED));
        assertThat(child(c, parent).state()).as("the child still runs").isEqualTo(ExecutionState.RUNNING);
    }

    @Test
    void twoSubWorkflowNodesReadyTogetherStartTheirChildrenTogether() throws Exception {
        Files.writeString(tmp.resolve("pair.yaml"), """
                name: pair
                nodes:
                  - id: first
                    workflow: leaf.yaml
                    input: { n: 1 }
                  - id: second
                    workflow: leaf.yaml
                    input: { n: 2 }
                """);
        step.holdAt("leaf");
        WorkflowClient c = worker("w1").client();
        long parent = c.submit(c.load(tmp.resolve("pair.yaml")), "{}", SubmitOptions.defaults())
                .executionId();

        // The first child holds (its step never returns): the second starts all the same.
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> c.store()
                                .executionGetByKey(ChildKeys.key(parent, "first"))
                                .isPresent()
                        && c.store()
                                .executionGetByKey(ChildKeys.key(parent, "second"))
                                .isPresent());
    }

    @Test
    void cancellingTheParentCancelsItsChildren() throws Exception {
        step.holdAt("leaf");
        WorkflowClient c = worker("w1").client();
        long top = submit(c, "{\"n\": 1, \"fail_once\": false}");
        assertThat(step.holding.await(60, TimeUnit.SECONDS)).isTrue();
        long middle = child(c, top).id();
        long leaf = child(c, middle).id();

        SubWorkflows.cancel(c.store(), top, "the order was withdrawn", "tester");

        for (long id : List.of(top, middle, leaf)) {
            ExecutionView v = Terminal.await(c.store(), id, Duration.ofSeconds(60));
            assertThat(v.state()).as("execution %d", id).isEqualTo(ExecutionState.CANCELLED);
        }
    }

    @Test
    void aParentThatTimesOutCancelsItsChildren() throws Exception {
        step.holdAt("leaf");
        Files.writeString(tmp.resolve("bounded.yaml"), """
                name: bounded
                timeout_seconds: 2
                nodes:
                  - id: down
                    workflow: leaf.yaml
                    input: { n: 1 }
                """);
        WorkflowClient c = worker("w1").client();
        long parent = c.submit(c.load(tmp.resolve("bounded.yaml")), "{}", SubmitOptions.defaults())
                .executionId();
        assertThat(step.holding.await(60, TimeUnit.SECONDS)).isTrue();
        long leaf = child(c, parent).id();

        ExecutionView p = Terminal.await(c.store(), parent, Duration.ofSeconds(60));
        assertThat(p.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(p.lastError()).contains("timed out");
        ExecutionView v = Terminal.await(c.store(), leaf, Duration.ofSeconds(60));
        assertThat(v.state()).isEqualTo(ExecutionState.CANCELLED);
        assertThat(c.store().historyList(leaf))
                .anySatisfy(h -> assertThat(h.detail()).contains("parent execution " + parent + " failed"));
    }

    @Test
    void aParentThatFailsForGoodCancelsTheChildrenStillRunningAndARetryRunsThemAgain() throws Exception {
        step.holdAt("leaf");
        step.failAt("bad");
        Files.writeString(tmp.resolve("beside.yaml"), """
                name: beside
                nodes:
                  - id: down
                    workflow: leaf.yaml
                    input: { n: 1 }
                  - id: gate
                    action: test.step
                    params: { level: gate }
                  - id: bad
                    action: test.step
                    depends_on: [gate]
                    params: { level: bad }
                """);
        WorkflowClient c = worker("w1").client();
        long parent = c.submit(c.load(tmp.resolve("beside.yaml")), "{}", SubmitOptions.defaults())
                .executionId();

        ExecutionView p = Terminal.await(c.store(), parent, Duration.ofSeconds(60));
        assertThat(p.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(p.lastError()).contains("bad refused");
        long leaf = child(c, parent).id();
        assertThat(Terminal.await(c.store(), leaf, Duration.ofSeconds(60)).state())
                .isEqualTo(ExecutionState.CANCELLED);

        step.holdAt(null);
        step.failAt(null);
        assertThat(SubWorkflows.retry(c.store(), parent, false, "tester")).isEqualTo(RetryResult.REQUEUED);
        ExecutionView again = Terminal.await(c.store(), parent, Duration.ofSeconds(60));
        assertThat(again.state()).as(again.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(child(c, parent).id()).isEqualTo(leaf);
        assertThat(child(c, parent).state()).isEqualTo(ExecutionState.SUCCEEDED);
    }

    /**
     * {@code test.stubborn} ignores interrupts until {@code released} opens (an action slow to
     * stop: a long call, a blocking driver); {@code test.gate} waits until the stubborn one started,
     * then fails for good while {@code gateFails}.
     */
    static final class Racy {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        volatile boolean gateFails = true;

        final Action stubborn = new Action() {
            @Override
            public String name() {
                return "test.stubborn";
            }

            @Override
            public JsonNode execute(JsonNode params, ActionContext ctx) {
                started.countDown();
                while (true) {
                    try {
                        released.await();
                        return JsonNodeFactory.instance.stringNode("stubborn done");
                    } catch (InterruptedException e) {
                        // keeps going until released
                    }
                }
            }
        };

        final Action gate = new Action() {
            @Override
            public String name() {
                return "test.gate";
            }

            @Override
            public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException, InterruptedException {
                started.await();
                if (gateFails) {
                    throw ActionException.permanent("gate refused");
                }
                return JsonNodeFactory.instance.stringNode("gate done");
            }
        };
    }

    @Test
    void aRetryOfAFailedParentWhileTheCancelOfItsChildIsStillPendingRunsTheChildAgain() throws Exception {
        Racy racy = new Racy();
        Files.writeString(tmp.resolve("slow.yaml"), """
                name: slow
                nodes:
                  - id: work
                    action: test.stubborn
                """);
        Files.writeString(tmp.resolve("racy.yaml"), """
                name: racy
                nodes:
                  - id: down
                    workflow: slow.yaml
                    input: {}
                  - id: bad
                    action: test.gate
                """);
        try {
            WorkflowClient c = started("w1", 4, step, racy.stubborn, racy.gate).client();
            long parent = c.submit(c.load(tmp.resolve("racy.yaml")), "{}", SubmitOptions.defaults())
                    .executionId();
            assertThat(Terminal.await(c.store(), parent, Duration.ofSeconds(60)).state())
                    .isEqualTo(ExecutionState.FAILED);
            long kid = child(c, parent).id();
            // The parent's failure asked the running child to stop; it has not stopped yet.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> c.store().executionGet(kid).orElseThrow().cancelRequested());
            assertThat(c.store().executionGet(kid).orElseThrow().state()).isEqualTo(ExecutionState.RUNNING);

            // The cause is mended and the parent retried at once; then the child's stop completes.
            racy.gateFails = false;
            assertThat(SubWorkflows.retry(c.store(), parent, false, "tester")).isEqualTo(RetryResult.REQUEUED);
            racy.released.countDown();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> c.store().executionGet(kid).orElseThrow().state() != ExecutionState.RUNNING);

            ExecutionView again = Terminal.await(c.store(), parent, Duration.ofSeconds(60));
            assertThat(again.state()).as(again.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
            assertThat(child(c, parent).id()).isEqualTo(kid);
        } finally {
            racy.released.countDown();
        }
    }

    @Test
    void aLateCancelFromTheParentsFailureOfAnItemsNewChildAfterARetryRunsItAgain() throws Exception {
        writeFan("finish_all");
        step.failAt("bad");
        WorkflowClient c = worker("w1").client();
        long parent = submitFan(c, "{\"ns\": [1, 2], \"level\": \"x\", \"fail_at\": 2}");
        assertThat(Terminal.await(c.store(), parent, Duration.ofSeconds(90)).state())
                .isEqualTo(ExecutionState.FAILED);
        long first = item(c, parent, 1).orElseThrow().id();
        step.failAt(null);
        step.holdAt("bad");
        assertThat(SubWorkflows.retry(c.store(), parent, false, "tester")).isEqualTo(RetryResult.REQUEUED);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> item(c, parent, 1).map(v -> v.id() != first).orElse(false));
        assertThat(step.holding.await(60, TimeUnit.SECONDS)).isTrue();
        long second = item(c, parent, 1).orElseThrow().id();
        // What the cancel after the failure does when it read the parent as failed before the retry.
        SubWorkflows.cancel(c.store(), second, "parent execution " + parent + " failed", "w1");
        step.holdAt(null);

        ExecutionView v = Terminal.await(c.store(), parent, Duration.ofSeconds(90));
        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
    }

    @Test
    void aChildCancelledByAnOperatorStillFailsItsParentsNode() throws Exception {
        step.holdAt("leaf");
        Files.writeString(tmp.resolve("one.yaml"), """
                name: one
                nodes:
                  - id: down
                    workflow: leaf.yaml
                    input: { n: 1 }
                """);
        WorkflowClient c = worker("w1").client();
        long parent = c.submit(c.load(tmp.resolve("one.yaml")), "{}", SubmitOptions.defaults())
                .executionId();
        assertThat(step.holding.await(60, TimeUnit.SECONDS)).isTrue();

        SubWorkflows.cancel(c.store(), child(c, parent).id(), "not wanted", "tester");

        ExecutionView p = Terminal.await(c.store(), parent, Duration.ofSeconds(60));
        assertThat(p.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(p.lastError()).contains("child execution " + child(c, parent).id() + " cancelled");
    }

    @Test
    void retryingAParentWhoseChildSucceededReusesTheChild() throws Exception {
        WorkflowClient c = worker("w1").client();
        long top = submit(c, "{\"n\": 1, \"fail_once\": true}");
        ExecutionView failed = Terminal.await(c.store(), top, Duration.ofSeconds(60));
        assertThat(failed.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(failed.lastError()).contains("check refused its first run");
        ExecutionView middle = child(c, top);
        assertThat(middle.state()).isEqualTo(ExecutionState.SUCCEEDED);

        assertThat(SubWorkflows.retry(c.store(), top, false, "tester")).isEqualTo(RetryResult.REQUEUED);
        ExecutionView v = Terminal.await(c.store(), top, Duration.ofSeconds(60));

        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(child(c, top).id()).isEqualTo(middle.id());
        assertThat(child(c, top).attempt()).isEqualTo(1);
        assertThat(step.runs.get(middle.id() + ":work").get()).isEqualTo(1);
        assertThat(step.runs.get(top + ":check").get()).isEqualTo(2);
    }

    @Test
    void aChildThatFailsFailsItsParentAndARetryOfTheParentRetriesTheChild() throws Exception {
        Files.writeString(tmp.resolve("leaf.yaml"), """
                name: leaf
                nodes:
                  - id: work
                    action: test.step
                    params: { level: leaf, fail_once: true }
                """);
        WorkflowClient c = worker("w1").client();
        long top = submit(c, "{\"n\": 1, \"fail_once\": false}");
        ExecutionView failed = Terminal.await(c.store(), top, Duration.ofSeconds(60));
        assertThat(failed.state()).isEqualTo(ExecutionState.FAILED);
        long middle = child(c, top).id();
        long leaf = child(c, middle).id();
        assertThat(failed.lastError())
                .contains("node 'down' (workflow): child execution " + middle + " failed")
                .contains("child execution " + leaf + " failed")
                .contains("leaf refused its first run");

        SubWorkflows.retry(c.store(), top, false, "tester");
        ExecutionView v = Terminal.await(c.store(), top, Duration.ofSeconds(60));

        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(child(c, top).id()).isEqualTo(middle);
        assertThat(child(c, middle).id()).isEqualTo(leaf);
    }

    @Test
    void aChildInputItsSchemaRefusesFailsTheParentsNodeAndStartsNoChild() throws Exception {
        Files.writeString(tmp.resolve("leaf.yaml"), """
                name: leaf
                input_schema:
                  type: object
                  required: [n]
                  properties: { n: { type: integer } }
                nodes:
                  - id: work
                    action: test.step
                    params: { level: leaf }
                """);
        Files.writeString(tmp.resolve("caller.yaml"), """
                name: caller
                nodes:
                  - id: down
                    workflow: leaf.yaml
                    input: { n: "${{ input.label }}" }
                """);
        WorkflowClient c = worker("w1").client();
        long caller = c.submit(c.load(tmp.resolve("caller.yaml")), "{\"label\": \"ten\"}", SubmitOptions.defaults())
                .executionId();

        ExecutionView v = Terminal.await(c.store(), caller, Duration.ofSeconds(60));

        assertThat(v.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(v.lastError())
                .contains("node 'down'")
                .contains("the input does not match the input schema of 'leaf'")
                .contains("/n");
        assertThat(c.store().executionGetByKey(ChildKeys.key(caller, "down"))).isEmpty();
    }

    @Test
    void aWorkflowNodeWithAQueueSubmitsItsChildThereForTheWorkersThatServeIt() throws Exception {
        Files.writeString(tmp.resolve("caller.yaml"), """
                name: caller
                nodes:
                  - id: down
                    workflow: leaf.yaml
                    queue: ship-q
                    input: { n: 1 }
                output: "${{ nodes.down.output }}"
                """);
        WorkflowClient c = worker("w1").client();
        long caller = c.submit(c.load(tmp.resolve("caller.yaml")), "{}", SubmitOptions.defaults())
                .executionId();

        // Only w1 runs, and it serves the default queue: the child waits on its own queue.
        ExecutionView child = await().atMost(Duration.ofSeconds(30))
                .until(() -> c.store().executionGetByKey(ChildKeys.key(caller, "down")), Optional::isPresent)
                .orElseThrow();
        assertThat(child.queue()).isEqualTo("ship-q");
        assertThat(c.store().executionGet(child.id()).orElseThrow().state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(step.runs).doesNotContainKey(child.id() + ":work");

        start(built(config(), "ship", o -> o.withConcurrency(2).withQueues(List.of("ship-q")), step));

        ExecutionView v = Terminal.await(c.store(), caller, Duration.ofSeconds(60));
        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(JSON.readTree(v.outputJson()).path("leaf").asString()).isEqualTo("leaf done");
        assertThat(c.store().executionGet(child.id()).orElseThrow().state()).isEqualTo(ExecutionState.SUCCEEDED);
    }

    @Test
    void aChildInputTheStoreRefusesFailsTheNodeForGoodAndStartsNoChild() throws Exception {
        Files.writeString(tmp.resolve("caller.yaml"), """
                name: caller
                nodes:
                  - id: down
                    workflow: leaf.yaml
                    input: { a: "${{ input.s }}", b: "${{ input.s }}", n: 1 }
                """);
        var c0 = config();
        var q = c0.queue();
        var small = c0.withQueue(new io.nebula.worker.config.WorkerConfig.Queue(
                q.batchSize(),
                q.visibilityTimeout(),
                q.maxRetries(),
                q.listen(),
                300,
                q.quarantineAfter(),
                q.retention(),
                q.retryBackoff(),
                q.retryBackoffMax()));
        NebulaWorker w = start(built(small, "w1", o -> o.withConcurrency(2), step));
        WorkflowClient c = w.client();
        // Under the limit as the parent's input; twice that as the child's.
        long caller = c.submit(
                        c.load(tmp.resolve("caller.yaml")),
                        "{\"s\": \"" + "x".repeat(200) + "\"}",
                        SubmitOptions.defaults())
                .executionId();

        ExecutionView v = Terminal.await(c.store(), caller, Duration.ofSeconds(60));

        assertThat(v.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(v.attempt()).as("refused for good, not retried").isEqualTo(1);
        assertThat(v.lastError()).contains("node 'down'").contains("input").contains("queue.max_input_bytes");
        assertThat(c.store().executionGetByKey(ChildKeys.key(caller, "down"))).isEmpty();
    }

    /**
     * {@code fan.yaml}: a map over {@code item.yaml}, one child per element of {@code input.ns},
     * the element equal to {@code input.fail_at} at level {@code bad}, the others at {@code
     * input.level}.
     */
    private void writeFan(String policy) throws Exception {
        Files.writeString(tmp.resolve("item.yaml"), """
                name: item
                nodes:
                  - id: work
                    action: test.step
                    params: { level: "${{ input.level }}" }
                output: { n: "${{ input.n }}", position: "${{ input.position }}", said: "${{ nodes.work.output }}" }
                """);
        Files.writeString(tmp.resolve("fan.yaml"), """
                name: fan
                nodes:
                  - id: each
                    workflow: item.yaml
                    map: { items: "${{ input.ns }}", max_items: 10, max_parallel: 2, on_item_failure: %s }
                    input:
                      n: "${{ item }}"
                      position: "${{ index }}"
                      level: "${{ item == input.fail_at ? 'bad' : input.level }}"
                  - id: after
                    action: test.step
                    depends_on: [each]
                    params: { level: after }
                output: { all: "${{ nodes.each.output }}" }
                """.formatted(policy));
    }

    private long submitFan(WorkflowClient c, String input) throws Exception {
        return c.submit(c.load(tmp.resolve("fan.yaml")), input, SubmitOptions.defaults())
                .executionId();
    }

    /** The child of item {@code index} of the map, of the latest run that started one. */
    private static Optional<ExecutionView> item(WorkflowClient c, long parent, int index) {
        return SubWorkflows.children(c.store(), c.store().executionGet(parent).orElseThrow()).stream()
                .filter(ch -> ch.nodeId().equals("each[" + index + "]"))
                .map(SubWorkflows.Child::execution)
                .findFirst();
    }

    @Test
    void aMapOverAWorkflowNodeStartsAChildPerItemAndTakesTheirOutputsInItemOrder() throws Exception {
        writeFan("finish_all");
        WorkflowClient c = worker("w1").client();
        long parent = submitFan(c, "{\"ns\": [5, 3, 9, 1], \"level\": \"x\", \"fail_at\": 0}");

        ExecutionView v = Terminal.await(c.store(), parent, Duration.ofSeconds(90));

        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        JsonNode all = JSON.readTree(v.outputJson()).path("all");
        assertThat(all).hasSize(4);
        int[] ns = {5, 3, 9, 1};
        for (int i = 0; i < ns.length; i++) {
            assertThat(all.get(i).path("n").asInt()).as("item %d", i).isEqualTo(ns[i]);
            assertThat(all.get(i).path("position").asInt()).isEqualTo(i);
            assertThat(all.get(i).path("said").asString()).isEqualTo("x done");
        }
        List<SubWorkflows.Child> children = SubWorkflows.children(c.store(), v);
        assertThat(children)
                .extracting(SubWorkflows.Child::nodeId)
                .containsExactly("each[0]", "each[1]", "each[2]", "each[3]");
        assertThat(children).allSatisfy(ch -> {
            assertThat(ch.execution().state()).isEqualTo(ExecutionState.SUCCEEDED);
            assertThat(ch.execution().workflowName()).isEqualTo("item");
            var p = SubWorkflows.parent(ch.execution()).orElseThrow();
            assertThat(p.executionId()).isEqualTo(parent);
            assertThat(p.nodeId()).isEqualTo(ch.nodeId());
        });
        assertThat(SubWorkflows.children(c.store(), v, 2)).hasSize(2);
        assertThat(step.runs.get(parent + ":after").get()).isEqualTo(1);
    }

    @Test
    void aMapOverAWorkflowNodeKeepsAtMostMaxParallelChildrenGoingAndACancelReachesThem() throws Exception {
        writeFan("finish_all");
        step.holdAt("held");
        WorkflowClient c = worker("w1").client();
        long parent = submitFan(c, "{\"ns\": [1, 2, 3, 4, 5], \"level\": \"held\", \"fail_at\": 0}");

        // Both children started hold their step; the parent's look that started them ended in a wait.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> item(c, parent, 0).isPresent()
                        && item(c, parent, 1).isPresent()
                        && c.store().executionGet(parent).orElseThrow().state() == ExecutionState.AVAILABLE);
        assertThat(step.holding.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(item(c, parent, 2))
                .as("max_parallel 2: a third child waits for one to end")
                .isEmpty();
        assertThat(c.store().historyList(parent))
                .anySatisfy(h -> assertThat(h.detail())
                        .contains("waiting for child execution")
                        .contains("(item "));

        SubWorkflows.cancel(c.store(), parent, "withdrawn", "tester");

        assertThat(Terminal.await(c.store(), parent, Duration.ofSeconds(60)).state())
                .isEqualTo(ExecutionState.CANCELLED);
        for (int i = 0; i < 2; i++) {
            long child = item(c, parent, i).orElseThrow().id();
            assertThat(Terminal.await(c.store(), child, Duration.ofSeconds(60)).state())
                    .as("child of item %d", i)
                    .isEqualTo(ExecutionState.CANCELLED);
        }
    }

    @Test
    void aChildThatFailsFailsItsItemAndARetryOfTheParentRunsThatItemAgainWithANewChild() throws Exception {
        writeFan("finish_all");
        step.failAt("bad");
        WorkflowClient c = worker("w1").client();
        long parent = submitFan(c, "{\"ns\": [1, 2, 3], \"level\": \"x\", \"fail_at\": 2}");

        ExecutionView failed = Terminal.await(c.store(), parent, Duration.ofSeconds(90));

        assertThat(failed.state()).isEqualTo(ExecutionState.FAILED);
        ExecutionView second = item(c, parent, 1).orElseThrow();
        assertThat(second.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(failed.lastError())
                .contains("node 'each' (workflow): 1 of 3 items failed (on_item_failure finish_all)")
                .contains("item 1 of node 'each' (workflow): child execution " + second.id() + " failed")
                .contains("bad refused");
        ExecutionView first = item(c, parent, 0).orElseThrow();
        ExecutionView third = item(c, parent, 2).orElseThrow();
        assertThat(List.of(first.state(), third.state()))
                .as("finish_all: the other items ran")
                .containsOnly(ExecutionState.SUCCEEDED);
        assertThat(step.runs).doesNotContainKey(parent + ":after");

        step.failAt(null);
        assertThat(SubWorkflows.retry(c.store(), parent, false, "tester")).isEqualTo(RetryResult.REQUEUED);
        ExecutionView v = Terminal.await(c.store(), parent, Duration.ofSeconds(90));

        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(JSON.readTree(v.outputJson()).path("all"))
                .extracting(n -> n.path("n").asInt())
                .containsExactly(1, 2, 3);
        ExecutionView again = item(c, parent, 1).orElseThrow();
        assertThat(again.id()).as("a new child for the item that failed").isNotEqualTo(second.id());
        assertThat(again.state()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(again.idempotencyKey()).isEqualTo(ChildKeys.itemKey(parent, "each", 1, 1));
        assertThat(c.store().executionGet(second.id()).orElseThrow().state())
                .as("the failed child is left as it was")
                .isEqualTo(ExecutionState.FAILED);
        for (ExecutionView kept : List.of(first, third)) {
            assertThat(item(c, parent, first == kept ? 0 : 2).orElseThrow().id())
                    .as("an item that succeeded keeps its child")
                    .isEqualTo(kept.id());
            assertThat(step.runs.get(kept.id() + ":work").get()).isEqualTo(1);
        }
    }

    @Test
    void aRetryOfTheParentStartsAtMostMaxParallelNewChildren() throws Exception {
        writeFan("finish_all");
        step.failAt("x");
        WorkflowClient c = worker("w1").client();
        long parent = submitFan(c, "{\"ns\": [1, 2, 3, 4, 5], \"level\": \"x\", \"fail_at\": 0}");
        assertThat(Terminal.await(c.store(), parent, Duration.ofSeconds(90)).state())
                .isEqualTo(ExecutionState.FAILED);
        List<Long> failedChildren = java.util.stream.IntStream.range(0, 5)
                .mapToObj(i -> item(c, parent, i).orElseThrow().id())
                .toList();

        step.failAt(null);
        step.holdAt("x");
        assertThat(SubWorkflows.retry(c.store(), parent, false, "tester")).isEqualTo(RetryResult.REQUEUED);

        await().atMost(Duration.ofSeconds(60))
                .until(() -> !failedChildren.contains(
                                item(c, parent, 0).orElseThrow().id())
                        && !failedChildren.contains(
                                item(c, parent, 1).orElseThrow().id())
                        && c.store().executionGet(parent).orElseThrow().state() == ExecutionState.AVAILABLE);
        assertThat(step.holding.await(60, TimeUnit.SECONDS)).isTrue();
        for (int i = 2; i < 5; i++) {
            assertThat(item(c, parent, i).orElseThrow().id())
                    .as("item %d waits for a slot: its child is still the failed one", i)
                    .isEqualTo(failedChildren.get(i));
        }
        for (long id : failedChildren) {
            assertThat(c.store().executionGet(id).orElseThrow().state()).isEqualTo(ExecutionState.FAILED);
        }
        SubWorkflows.cancel(c.store(), parent, "done looking", "tester");
        assertThat(Terminal.await(c.store(), parent, Duration.ofSeconds(60)).state())
                .isEqualTo(ExecutionState.CANCELLED);
    }

    @Test
    void withFailFastTheMapWaitsForTheChildrenStartedBeforeAnItemFailed() throws Exception {
        writeFan("fail_fast");
        step.failAt("bad");
        step.holdAt("held");
        WorkflowClient c = worker("w1").client();
        // Item 0 fails; item 1, started beside it, holds.
        long parent = submitFan(c, "{\"ns\": [7, 8, 9], \"level\": \"held\", \"fail_at\": 7}");
        assertThat(step.holding.await(60, TimeUnit.SECONDS)).isTrue();
        ExecutionView failedChild = await().atMost(Duration.ofSeconds(60))
                .until(() -> item(c, parent, 0), o -> o.isPresent() && o.get().state() == ExecutionState.FAILED)
                .orElseThrow();
        // The parent looks again after the failure, and goes on waiting for item 1's child.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> c.store().historyList(parent).stream()
                        .anyMatch(h -> h.event().equals("waiting") && h.at().isAfter(failedChild.finishedAt())));
        assertThat(c.store().executionGet(parent).orElseThrow().state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(item(c, parent, 2))
                .as("fail_fast: no item starts after the failure")
                .isEmpty();

        assertThat(SubWorkflows.cancel(c.store(), parent, "stop", "tester"))
                .isEqualTo(io.nebula.worker.queue.CancelResult.CANCELLED);
        long held = item(c, parent, 1).orElseThrow().id();
        assertThat(Terminal.await(c.store(), held, Duration.ofSeconds(60)).state())
                .isEqualTo(ExecutionState.CANCELLED);
    }

    @Test
    void anItemInputTheChildsSchemaRefusesFailsThatItemOnly() throws Exception {
        Files.writeString(tmp.resolve("typed.yaml"), """
                name: typed
                input_schema: { type: object, required: [n], properties: { n: { type: integer } } }
                nodes:
                  - id: work
                    action: test.step
                    params: { level: x }
                output: { n: "${{ input.n }}" }
                """);
        Files.writeString(tmp.resolve("typed-fan.yaml"), """
                name: typed-fan
                nodes:
                  - id: each
                    workflow: typed.yaml
                    map: { items: [1, "two", 3], on_item_failure: tolerate, max_failed_items: 1 }
                    input: { n: "${{ item }}" }
                output: "${{ nodes.each.output }}"
                """);
        WorkflowClient c = worker("w1").client();
        long parent = c.submit(c.load(tmp.resolve("typed-fan.yaml")), "{}", SubmitOptions.defaults())
                .executionId();

        ExecutionView v = Terminal.await(c.store(), parent, Duration.ofSeconds(90));

        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(JSON.readTree(v.outputJson()))
                .extracting(n -> n.isNull() ? null : n.path("n").asInt())
                .containsExactly(1, null, 3);
        assertThat(c.store().nodeResultList(parent))
                .filteredOn(r -> r.nodeId().equals("each[1]"))
                .singleElement()
                .satisfies(r -> assertThat(r.error())
                        .contains("item 1 of node 'each' (workflow) input: the input does not match the input"
                                + " schema of 'typed'"));
        assertThat(SubWorkflows.children(c.store(), v)).hasSize(2);
    }

    @Test
    void aMapOverAWorkflowNodeWithMoreItemsThanItsMaxItemsFailsForGoodAndStartsNoChild() throws Exception {
        writeFan("finish_all");
        WorkflowClient c = worker("w1").client();
        long parent = submitFan(c, "{\"ns\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], \"level\": \"x\", \"fail_at\": 0}");

        ExecutionView v = Terminal.await(c.store(), parent, Duration.ofSeconds(60));

        assertThat(v.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(v.attempt()).as("refused for good, not retried").isEqualTo(1);
        assertThat(v.lastError()).contains("node 'each' (workflow) items: 11 items, more than its max_items 10");
        assertThat(SubWorkflows.children(c.store(), v)).isEmpty();
        assertThat(c.store().nodeResultList(parent)).noneMatch(r -> r.nodeId().equals("each[]"));
    }

    @Test
    void cancellingTheParentThenRetryingItGivesTheCancelledItemsNewChildren() throws Exception {
        writeFan("finish_all");
        step.holdAt("held");
        WorkflowClient c = worker("w1").client();
        long parent = submitFan(c, "{\"ns\": [1, 2], \"level\": \"held\", \"fail_at\": 0}");
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        item(c, parent, 0).isPresent() && item(c, parent, 1).isPresent());
        List<Long> before = List.of(
                item(c, parent, 0).orElseThrow().id(),
                item(c, parent, 1).orElseThrow().id());

        SubWorkflows.cancel(c.store(), parent, "oops", "tester");
        assertThat(Terminal.await(c.store(), parent, Duration.ofSeconds(60)).state())
                .isEqualTo(ExecutionState.CANCELLED);
        step.holdAt(null);
        // At once: the children may still be stopping when the retried parent looks at them.
        assertThat(SubWorkflows.retry(c.store(), parent, false, "tester")).isEqualTo(RetryResult.REQUEUED);
        ExecutionView v = Terminal.await(c.store(), parent, Duration.ofSeconds(90));

        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        for (int i = 0; i < 2; i++) {
            ExecutionView latest = item(c, parent, i).orElseThrow();
            assertThat(latest.idempotencyKey()).isEqualTo(ChildKeys.itemKey(parent, "each", i, 1));
            assertThat(latest.state()).isEqualTo(ExecutionState.SUCCEEDED);
            assertThat(c.store().executionGet(before.get(i)).orElseThrow().state())
                    .isEqualTo(ExecutionState.CANCELLED);
        }
        // The child a retry replaced cannot be retried beside its replacement.
        assertThat(SubWorkflows.retry(c.store(), before.get(0), false, "tester"))
                .isEqualTo(RetryResult.SUPERSEDED);
        assertThat(SubWorkflows.superseded(c.store(), before.get(0)))
                .isEqualTo("execution " + before.get(0) + " was replaced by a later child of item 'each[0]' of"
                        + " execution " + parent + "; retry execution " + parent + " instead");
        assertThat(c.store().executionGet(before.get(0)).orElseThrow().state()).isEqualTo(ExecutionState.CANCELLED);
    }
}
