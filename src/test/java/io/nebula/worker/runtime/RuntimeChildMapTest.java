package io.nebula.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.queue.StopReason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A map over a workflow node in the runtime alone: children come from a table of states by
 * idempotency key instead of a store, so each look's decisions can be checked one by one.
 */
class RuntimeChildMapTest {
    static final String HASH = "0".repeat(64);

    /** An {@link InMemoryAttempt} whose children have the state {@code states} gives their key. */
    static class ChildAttempt implements Attempt {
        final InMemoryAttempt a;
        final Function<String, ExecutionState> states;
        final List<String> started = new CopyOnWriteArrayList<>();
        /** For each child started: whether the map's start record had been checkpointed before. */
        final Map<String, Boolean> recordedBefore = new ConcurrentHashMap<>();
        /** When each child was created; now for those not named. */
        final Map<String, Instant> created = new ConcurrentHashMap<>();
        /** The execution's current start, as the store would say. */
        volatile Instant since;
        /** Keys whose start the child's workflow refuses (as for an input its schema refuses). */
        volatile java.util.function.Predicate<String> refused = k -> false;
        /** Runs before each look-up by key, with the key. */
        volatile java.util.function.Consumer<String> onFind = k -> {};
        /** The keys of each read of several keys at once, when {@link #readsMany} is set. */
        final List<java.util.Collection<String>> manyReads = new CopyOnWriteArrayList<>();
        /** Whether the children answer reads of several keys at once (as the worker's do). */
        volatile boolean readsMany;

        ChildAttempt(InMemoryAttempt a, Function<String, ExecutionState> states) {
            this.a = a;
            this.states = states;
        }

        private ChildWorkflows.Child child(String key) {
            ExecutionState s = states.apply(key);
            Instant now = Instant.now();
            Instant at = created.getOrDefault(key, now);
            return new ChildWorkflows.Child(
                    started.indexOf(key) + 1,
                    s,
                    s == ExecutionState.SUCCEEDED ? "\"done " + key + "\"" : null,
                    s == ExecutionState.FAILED ? "boom" : null,
                    at,
                    now);
        }

        @Override
        public ChildWorkflows children() {
            return new ChildWorkflows() {
                @Override
                public Child start(String hash, String input, String key, String queue) {
                    if (refused.test(key)) {
                        throw new ChildWorkflows.InputRefused("the input does not match the input schema of 'c'");
                    }
                    if (!started.contains(key)) {
                        recordedBefore.put(
                                key,
                                a.written().stream().anyMatch(r -> r.nodeId().equals("each[]")));
                        started.add(key);
                    }
                    return child(key);
                }

                @Override
                public Child find(String key) {
                    onFind.accept(key);
                    return started.contains(key) ? child(key) : null;
                }

                @Override
                public Map<String, Child> findAll(java.util.Collection<String> keys) {
                    if (!readsMany) {
                        return ChildWorkflows.super.findAll(keys);
                    }
                    if (keys.size() > ChildWorkflows.MAX_KEYS) {
                        throw new IllegalArgumentException("too many keys: " + keys.size());
                    }
                    manyReads.add(List.copyOf(keys));
                    Map<String, Child> out = new java.util.HashMap<>();
                    for (String key : keys) {
                        if (started.contains(key)) {
                            out.put(key, child(key));
                        }
                    }
                    return out;
                }
            };
        }

        @Override
        public Instant startedAt() {
            return since;
        }

        @Override
        public long executionId() {
            return a.executionId();
        }

        @Override
        public ExecutionEvent event() {
            return a.event();
        }

        @Override
        public int attempt() {
            return a.attempt();
        }

        @Override
        public String workflowHash() {
            return a.workflowHash();
        }

        @Override
        public String definitionJson() {
            return a.definitionJson();
        }

        @Override
        public String inputJson() {
            return a.inputJson();
        }

        @Override
        public Map<String, NodeResult> checkpoints() {
            return a.checkpoints();
        }

        @Override
        public boolean checkpoint(NodeResult r) {
            return a.checkpoint(r);
        }

        @Override
        public StopReason stopRequested() {
            return a.stopRequested();
        }
    }

    private static String fan(String items, String map) {
        return """
                {"name": "p", "nodes": [{"id": "each", "workflow": "%s",
                  "map": {"items": %s, "max_items": 10, %s},
                  "input": {"x": "${{ item }}"}}]}""".formatted(HASH, items, map);
    }

    @Test
    void theStartRecordIsCheckpointedBeforeTheFirstChildStarts() throws Exception {
        RuntimeKit kit = new RuntimeKit();
        var at = new ChildAttempt(kit.attempt(fan("[1, 2]", "\"max_parallel\": 2"), "{}"), k -> ExecutionState.RUNNING);

        RunOutcome o = kit.runtime.run(at);

        assertThat(o).isInstanceOf(RunOutcome.Waiting.class);
        assertThat(at.started).containsExactly("child:7:each[0]", "child:7:each[1]");
        assertThat(at.recordedBefore).containsEntry("child:7:each[0]", true).containsEntry("child:7:each[1]", true);
    }

    @Test
    void aLookReadsItsItemsChildrenInOneReadAndLooksUpNoKeyAlone() throws Exception {
        RuntimeKit kit = new RuntimeKit();
        var first = kit.attempt(fan("[1, 2, 3, 4, 5, 6]", "\"max_parallel\": 3"), "{}");
        Map<String, ExecutionState> states = new ConcurrentHashMap<>();
        Function<String, ExecutionState> state = k -> states.getOrDefault(k, ExecutionState.RUNNING);
        List<String> alone = new CopyOnWriteArrayList<>();
        var a1 = new ChildAttempt(first, state);
        a1.readsMany = true;
        a1.onFind = alone::add;
        RunOutcome o1 = kit.runtime.run(a1);
        assertThat(o1).isInstanceOf(RunOutcome.Waiting.class);
        assertThat(a1.started).containsExactly("child:7:each[0]", "child:7:each[1]", "child:7:each[2]");
        assertThat(a1.manyReads)
                .singleElement()
                .satisfies(
                        keys -> assertThat(keys).contains("child:7:each[0]", "child:7:each[0]#1", "child:7:each[5]"));

        // Two children ended: the next look takes them and starts two more, again with one read.
        states.put("child:7:each[0]", ExecutionState.SUCCEEDED);
        states.put("child:7:each[1]", ExecutionState.SUCCEEDED);
        var a2 = new ChildAttempt(first.next(o1), state);
        a2.readsMany = true;
        a2.onFind = alone::add;
        a2.started.addAll(a1.started);
        RunOutcome o2 = kit.runtime.run(a2);
        assertThat(o2).isInstanceOf(RunOutcome.Waiting.class);
        assertThat(a2.started).endsWith("child:7:each[3]", "child:7:each[4]");
        assertThat(a2.manyReads).hasSize(1);
        assertThat(alone).as("no key looked up on its own").isEmpty();
    }

    @Test
    void aLookOfTheWidestMapReadsAtMostTheKeysOneReadTakes() throws Exception {
        RuntimeKit kit = new RuntimeKit();
        String items = java.util.stream.IntStream.range(0, 1_200)
                .mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
        String definition = """
                {"name": "p", "nodes": [{"id": "each", "workflow": "%s",
                  "map": {"items": %s, "max_parallel": 1000},
                  "input": {"x": "${{ item }}"}}]}""".formatted(HASH, items);
        var at = new ChildAttempt(kit.attempt(definition, "{}"), k -> ExecutionState.RUNNING);
        at.readsMany = true;

        RunOutcome o = kit.runtime.run(at);

        assertThat(o).isInstanceOf(RunOutcome.Waiting.class);
        assertThat(at.started).hasSize(1_000);
        assertThat(at.manyReads)
                .isNotEmpty()
                .allSatisfy(keys -> assertThat(keys).hasSizeLessThanOrEqualTo(1_000));
    }

    @Test
    void withFailFastTheMapWaitsForAChildStartedBesideTheOneThatFailed() throws Exception {
        RuntimeKit kit = new RuntimeKit();
        var first = kit.attempt(fan("[1, 2, 3]", "\"max_parallel\": 2, \"on_item_failure\": \"fail_fast\""), "{}");
        Map<String, ExecutionState> states = new ConcurrentHashMap<>();
        Function<String, ExecutionState> state = k -> states.getOrDefault(k, ExecutionState.RUNNING);
        var a1 = new ChildAttempt(first, state);
        RunOutcome o1 = kit.runtime.run(a1);
        assertThat(o1).isInstanceOf(RunOutcome.Waiting.class);

        // Item 0's child failed; item 1's still runs: the map waits for it and starts no other.
        states.put("child:7:each[0]", ExecutionState.FAILED);
        var a2 = new ChildAttempt(first.next(o1), state);
        a2.started.addAll(a1.started);
        RunOutcome o2 = kit.runtime.run(a2);
        assertThat(o2).isInstanceOf(RunOutcome.Waiting.class);
        assertThat(a2.started).containsExactly("child:7:each[0]", "child:7:each[1]");

        // Once it ends, the node fails, counting the item that never started.
        states.put("child:7:each[1]", ExecutionState.SUCCEEDED);
        var a3 = new ChildAttempt(a2.a.next(o2), state);
        a3.started.addAll(a2.started);
        var o3 = (RunOutcome.Failed) kit.runtime.run(a3);
        assertThat(o3.error())
                .contains("1 of 3 items failed (on_item_failure fail_fast), 1 not run")
                .contains("item 0 of node 'each' (workflow): child execution 1 failed: boom");
        assertThat(a3.started).hasSize(2);
    }

    @Test
    void anItemWhoseInputTheChildsWorkflowRefusesFailsOnlyThatItem() throws Exception {
        RuntimeKit kit = new RuntimeKit();
        var base = kit.attempt(fan("[1, 2, 3]", "\"on_item_failure\": \"tolerate\", \"max_failed_items\": 1"), "{}");
        var at = new ChildAttempt(base, k -> ExecutionState.SUCCEEDED);
        at.refused = k -> k.endsWith("[1]");

        var o = (RunOutcome.Succeeded) kit.runtime.run(at);

        assertThat(at.a.writtenAnd(o))
                .filteredOn(r -> r.nodeId().equals("each[1]"))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.status()).isEqualTo(NodeStatus.FAILED);
                    assertThat(r.error())
                            .isEqualTo("item 1 of node 'each' (workflow) input: the input does not match the input"
                                    + " schema of 'c'");
                });
    }

    @Test
    void itemsThatChangeBetweenLooksFailTheNodeForGood() throws Exception {
        RuntimeKit kit = new RuntimeKit();
        String def = fan("\"${{ execution.attempt == 1 ? [1, 2] : [1, 2, 3] }}\"", "\"max_parallel\": 4");
        var first = kit.attempt(def, "{}");
        var a1 = new ChildAttempt(first, k -> ExecutionState.RUNNING);
        RunOutcome o1 = kit.runtime.run(a1);
        assertThat(o1).isInstanceOf(RunOutcome.Waiting.class);

        var a2 = new ChildAttempt(first.next(o1), k -> ExecutionState.RUNNING);
        a2.started.addAll(a1.started);
        var o2 = (RunOutcome.Failed) kit.runtime.run(a2);

        assertThat(o2.retryable()).isFalse();
        assertThat(o2.error()).contains("node 'each' (workflow) items: 3 items now, 2 when its children started");
        assertThat(a2.started).hasSize(2);
    }

    @Test
    void afterARetryByHandAFailedChildGetsANewOneAndChildrenStillRunningCountTowardMaxParallel() throws Exception {
        RuntimeKit kit = new RuntimeKit();
        Instant start = Instant.parse("2030-01-01T00:00:00Z");
        var at = new ChildAttempt(
                kit.attempt(fan("[1, 2, 3, 4]", "\"max_parallel\": 2, \"on_item_failure\": \"finish_all\""), "{}"),
                k -> switch (k) {
                    case "child:7:each[0]" -> ExecutionState.FAILED;
                    case "child:7:each[1]", "child:7:each[3]" -> ExecutionState.CANCELLED;
                    default -> ExecutionState.RUNNING;
                });
        // Children of the run before the retry (item 2's still running), and item 3's, cancelled
        // after the retried execution started again.
        at.started.addAll(List.of("child:7:each[0]", "child:7:each[1]", "child:7:each[2]", "child:7:each[3]"));
        at.created.put("child:7:each[0]", start.minusSeconds(60));
        at.created.put("child:7:each[1]", start.minusSeconds(55));
        at.created.put("child:7:each[2]", start.minusSeconds(50));
        at.created.put("child:7:each[3]", start.plusSeconds(1));
        at.since = start;

        RunOutcome o = kit.runtime.run(at);

        // Items 0 and 1 need new children, but item 2's still runs: only one fits, item 0's second.
        assertThat(o).isInstanceOf(RunOutcome.Waiting.class);
        assertThat(at.started).endsWith("child:7:each[3]", "child:7:each[0]#1");
        assertThat(at.started).doesNotContain("child:7:each[1]#1");
        // Item 3's child was created after the start: its cancel is this run's, for good.
        assertThat(at.a.writtenAnd(o))
                .filteredOn(r -> r.nodeId().equals("each[3]"))
                .singleElement()
                .satisfies(r -> assertThat(r.error()).contains("child execution 4 cancelled"));
    }

    @Test
    void anItemRecordedFailedByAnEarlierLookIsNotLookedUpAgain() throws Exception {
        RuntimeKit kit = new RuntimeKit();
        var first = kit.attempt(fan("[1, 2]", "\"max_parallel\": 2, \"on_item_failure\": \"finish_all\""), "{}");
        Map<String, ExecutionState> states = new ConcurrentHashMap<>();
        Function<String, ExecutionState> state = k -> states.getOrDefault(k, ExecutionState.RUNNING);
        var a1 = new ChildAttempt(first, state);
        RunOutcome o1 = kit.runtime.run(a1);
        states.put("child:7:each[0]", ExecutionState.FAILED);
        var a2 = new ChildAttempt(first.next(o1), state);
        a2.started.addAll(a1.started);
        RunOutcome o2 = kit.runtime.run(a2);
        assertThat(o2).isInstanceOf(RunOutcome.Waiting.class);

        List<String> looked = new CopyOnWriteArrayList<>();
        var a3 = new ChildAttempt(a2.a.next(o2), state);
        a3.onFind = looked::add;
        a3.started.addAll(a2.started);
        states.put("child:7:each[1]", ExecutionState.SUCCEEDED);
        var o3 = (RunOutcome.Failed) kit.runtime.run(a3);

        assertThat(looked).noneMatch(k -> k.startsWith("child:7:each[0]"));
        assertThat(o3.error()).contains("1 of 2 items failed").contains("child execution 1 failed: boom");
    }

    @Test
    void aCancelAskedForDuringALookBeforeAnyChildStartsStopsTheAttempt() throws Exception {
        RuntimeKit kit = new RuntimeKit();
        var base = kit.attempt(fan("[1, 2]", "\"max_parallel\": 2"), "{}");
        var at = new ChildAttempt(base, k -> ExecutionState.RUNNING);
        at.onFind = k -> base.requestStop(StopReason.CANCELLED); // as when a heartbeat sees the cancel

        RunOutcome o = kit.runtime.run(at);

        assertThat(o).isInstanceOf(RunOutcome.Stopped.class);
        assertThat(((RunOutcome.Stopped) o).reason()).isEqualTo(StopReason.CANCELLED);
        assertThat(at.started).isEmpty();
    }

    @Test
    void afterARetryByHandAnItemPastOneThatNeverHadAChildGetsANewChild() throws Exception {
        RuntimeKit kit = new RuntimeKit();
        Instant start = Instant.parse("2030-01-01T00:00:00Z");
        // Item 1's input is refused (it never had a child); items 0 and 2 had children that failed
        // before the retry by hand: both get new ones.
        var base = kit.attempt(
                fan("[1, 2, 3]", "\"max_parallel\": 1, \"on_item_failure\": \"tolerate\", \"max_failed_items\": 1"),
                "{}");
        var at = new ChildAttempt(base, k -> k.contains("#") ? ExecutionState.SUCCEEDED : ExecutionState.FAILED);
        at.refused = k -> k.contains("[1]");
        at.started.addAll(List.of("child:7:each[0]", "child:7:each[2]"));
        at.created.put("child:7:each[0]", start.minusSeconds(60));
        at.created.put("child:7:each[2]", start.minusSeconds(50));
        at.since = start;

        RunOutcome o = kit.runtime.run(at);

        // With max_parallel 1 the look stops after item 1 (no child): item 2 is reached past it.
        assertThat(at.started).contains("child:7:each[0]#1", "child:7:each[2]#1");
        assertThat(at.started).doesNotContain("child:7:each[2]#2");
        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
    }
}
