package io.nebula.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.workflow.Limits;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * The JSON values one execution holds (its input and every node output) are bounded, so a document
 * of many small values, cheap in bytes and dear in heap, cannot be copied until the worker runs out
 * of memory.
 */
class ExecutionValuesTest {
    private final RuntimeKit kit = kitWith();

    /** A runtime where an execution holds at most 1,000 values, with {@code extra} actions. */
    private static RuntimeKit kitWith(io.nebula.worker.action.Action... extra) {
        return new RuntimeKit(
                Limits.defaults().withMaxValues(1_000),
                RuntimeOptions.defaults().withMaxExecutionValues(1_000),
                HttpActionOptions.defaults(),
                Clock.systemUTC(),
                extra);
    }

    /** An input of an object holding a list of {@code n} empty objects: {@code n + 2} values. */
    private static String emptyObjects(int n) {
        return "{\"l\": [" + "{},".repeat(n - 1) + "{}]}";
    }

    private static String copies(String... ids) {
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            nodes.append(i == 0 ? "" : ",")
                    .append("{\"id\": \"")
                    .append(ids[i])
                    .append("\", \"action\": \"transform\"")
                    .append(i == 0 ? "" : ", \"depends_on\": [\"" + ids[i - 1] + "\"]")
                    .append(", \"params\": {\"value\": \"${{ input.l }}\"}}");
        }
        return "{\"name\": \"copies\", \"nodes\": [" + nodes + "]}";
    }

    @Test
    void anInputOfMoreValuesThanTheBudgetFailsTheExecutionBeforeAnyNodeRuns() throws Exception {
        InMemoryAttempt a = kit.attempt(copies("n0"), emptyObjects(999));

        var f = (RunOutcome.Failed) a.runWith(kit.runtime);

        assertThat(f.retryable()).isFalse();
        assertThat(f.error()).isEqualTo("execution input holds more than 1000 JSON values (limits.execution_values)");
        assertThat(a.writtenAnd(f)).isEmpty();
    }

    @Test
    void theNodeWhoseOutputWouldPassTheBudgetFails() throws Exception {
        // 302 values in the input, 301 in each copy: 603 and 904 held, the third copy would pass 1,000.
        InMemoryAttempt a = kit.attempt(copies("n0", "n1", "n2", "n3"), emptyObjects(300));

        var f = (RunOutcome.Failed) a.runWith(kit.runtime);

        assertThat(f.retryable()).isFalse();
        assertThat(f.error())
                .isEqualTo("node 'n2' (transform) output would bring the JSON values the execution holds (its input and"
                        + " node outputs) to more than the limit of 1000 (limits.execution_values); 904 are held"
                        + " already");
        assertThat(a.writtenAnd(f))
                .extracting(NodeResult::nodeId, NodeResult::status)
                .containsExactly(
                        tuple("n0", NodeStatus.SUCCEEDED),
                        tuple("n1", NodeStatus.SUCCEEDED),
                        tuple("n2", NodeStatus.FAILED));
    }

    @Test
    void outputsRecordedByEarlierAttemptsCountTowardsTheBudget() throws Exception {
        String def = kit.load("""
                {"name": "two", "nodes": [
                  {"id": "a", "action": "transform", "params": {"value": "${{ input.l }}"}},
                  {"id": "b", "action": "fail", "depends_on": ["a"], "params": {"retryable": true, "times": 1}},
                  {"id": "c", "action": "transform", "depends_on": ["b"], "params": {"value": "${{ input.l }}"}},
                  {"id": "d", "action": "transform", "depends_on": ["c"], "params": {"value": "${{ input.l }}"}}]}""").canonicalJson();
        InMemoryAttempt first = InMemoryAttempt.first(def, emptyObjects(300));
        RunOutcome o1 = first.runWith(kit.runtime);
        assertThat(((RunOutcome.Failed) o1).retryable()).isTrue();

        RunOutcome o2 = first.next(o1).runWith(kit.runtime);

        // The input (302), a (301, recorded by the first attempt), b ({failed_times, succeeded_on}: 3)
        // and c (301).
        assertThat(((RunOutcome.Failed) o2).error())
                .startsWith("node 'd' (transform) output would bring the JSON values")
                .endsWith("; " + (302 + 301 + 3 + 301) + " are held already");
    }

    /**
     * Waits up to a second for another node running the same action; records whether it met one.
     * Nodes that run one after the other each wait their second out alone.
     */
    private static final class Hold implements io.nebula.worker.action.Action {
        final java.util.concurrent.CyclicBarrier pair = new java.util.concurrent.CyclicBarrier(2);
        final java.util.List<Boolean> met = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        @Override
        public String name() {
            return "hold";
        }

        @Override
        public tools.jackson.databind.JsonNode execute(
                tools.jackson.databind.JsonNode params, io.nebula.worker.action.ActionContext ctx)
                throws InterruptedException {
            try {
                pair.await(1, java.util.concurrent.TimeUnit.SECONDS);
                met.add(true);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.BrokenBarrierException e) {
                met.add(false);
                pair.reset();
            }
            return tools.jackson.databind.node.JsonNodeFactory.instance.nullNode();
        }
    }

    @Test
    void aNodeWhoseParamsDoNotFitBesideThoseOfTheRunningOnesWaitsForThemToEnd() throws Exception {
        // Two nodes, each holding the input's 600 values in its params: both fit in 1,000 only one
        // after the other, so the second starts when the first has ended, and both succeed.
        Hold hold = new Hold();
        RuntimeKit withHold = kitWith(hold);
        String node = "\"action\": \"hold\", \"params\": {\"body\": \"${{ input.l }}\"}";
        InMemoryAttempt a = withHold.attempt(
                "{\"name\": \"pair\", \"nodes\": [{\"id\": \"one\", " + node + "}, {\"id\": \"two\", " + node + "}]}",
                emptyObjects(600));

        RunOutcome o = a.runWith(withHold.runtime);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(hold.met).as("the two never ran at once").containsExactly(false, false);
    }

    @Test
    void mapItemsWhoseParamsDoNotFitTogetherRunOneAfterTheOther() throws Exception {
        Hold hold = new Hold();
        RuntimeKit withHold = kitWith(hold);
        InMemoryAttempt a = withHold.attempt("""
                {"name": "items", "nodes": [{"id": "each", "action": "hold",
                  "map": {"items": "${{ [1, 2] }}", "max_parallel": 2},
                  "params": {"body": "${{ input.l }}", "item": "${{ item }}"}}]}""", emptyObjects(600));

        RunOutcome o = a.runWith(withHold.runtime);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(hold.met).as("the two items never ran at once").containsExactly(false, false);
    }

    @Test
    void aNodeWhoseParamsAloneHoldMoreTextThanAnExecutionsOutputsFails() throws Exception {
        RuntimeKit small = new RuntimeKit(
                Limits.defaults(),
                RuntimeOptions.defaults().withExecutionBudgets(10_000, 8_192),
                HttpActionOptions.defaults(),
                Clock.systemUTC());
        InMemoryAttempt a = small.attempt(
                "{\"name\": \"post\", \"nodes\": [{\"id\": \"one\", \"action\": \"http.request\", \"params\":"
                        + " {\"url\": \"http://127.0.0.1:9/x\", \"method\": \"POST\", \"body\": \"${{ input.s }}\"}}]}",
                "{\"s\": \"" + "x".repeat(12_000) + "\"}");

        var f = (RunOutcome.Failed) a.runWith(small.runtime);

        assertThat(f.retryable()).isFalse();
        assertThat(f.error())
                .isEqualTo("node 'one' (http.request) params: the params of the nodes running at once would hold"
                        + " more than 10000 characters of text, as much as the node outputs of an execution may"
                        + " (limits.execution_output_bytes); 0 are held by the nodes running now");
    }

    /**
     * Claims 600 values of its execution, as {@code http.request} does before it parses a response,
     * then waits for the other node doing the same, so both claims are made while both run.
     */
    private static final class Receive implements io.nebula.worker.action.Action {
        final java.util.concurrent.CyclicBarrier bothClaimed = new java.util.concurrent.CyclicBarrier(2);
        final java.util.List<Boolean> claims = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        @Override
        public String name() {
            return "receive";
        }

        @Override
        public tools.jackson.databind.JsonNode execute(
                tools.jackson.databind.JsonNode params, io.nebula.worker.action.ActionContext ctx)
                throws io.nebula.worker.action.ActionException {
            boolean claimed = ctx.values().claim(600);
            claims.add(claimed);
            try {
                bothClaimed.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw io.nebula.worker.action.ActionException.permanent("the other node never claimed: " + e);
            }
            if (!claimed) {
                throw io.nebula.worker.action.ActionException.permanent("its execution cannot take 600 more values");
            }
            return tools.jackson.databind.node.JsonNodeFactory.instance.nullNode();
        }
    }

    @Test
    void twoNodesReceivingDataAtOnceCannotBothClaimMoreThanTheExecutionMayHold() throws Exception {
        Receive receive = new Receive();
        RuntimeKit withReceive = kitWith(receive);
        InMemoryAttempt a = withReceive.attempt(
                "{\"name\": \"two\", \"nodes\": [{\"id\": \"one\", \"action\": \"receive\"},"
                        + " {\"id\": \"two\", \"action\": \"receive\"}]}",
                "{}");

        var f = (RunOutcome.Failed) a.runWith(withReceive.runtime);

        assertThat(receive.claims).containsExactlyInAnyOrder(true, false);
        assertThat(f.error()).endsWith("its execution cannot take 600 more values");
    }

    @Test
    void anEvaluatedValueOfMoreValuesThanTheLimitFailsItsNode() throws Exception {
        RuntimeKit small = new RuntimeKit(
                Limits.defaults().withMaxValues(100),
                RuntimeOptions.defaults(),
                HttpActionOptions.defaults(),
                Clock.systemUTC());
        InMemoryAttempt a = small.attempt(copies("n0"), emptyObjects(100));

        var f = (RunOutcome.Failed) a.runWith(small.runtime);

        assertThat(f.retryable()).isFalse();
        assertThat(f.error())
                .startsWith("node 'n0' (transform) params: expression ")
                .endsWith("failed: value holds more than 100 JSON values (limits.execution_values)");
    }
}
