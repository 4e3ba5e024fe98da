package io.nebula.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.workflow.Expressions;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.Workflows;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RuntimeExpressionTest {
    private final RuntimeKit kit = new RuntimeKit();

    @BeforeAll
    static void warm() {
        new Expressions(Limits.defaults()).warmUp();
    }

    private RunOutcome run(String def, String input) throws Exception {
        return kit.attempt(def, input).runWith(kit.runtime);
    }

    private static Map<String, NodeStatus> statuses(InMemoryAttempt a, RunOutcome o) {
        List<NodeResult> all = new ArrayList<>(a.written());
        all.addAll(o.unsaved());
        return all.stream().collect(Collectors.toMap(NodeResult::nodeId, NodeResult::status));
    }

    @Test
    void valuesFlowFromInputThroughNodesToTheOutputWithTheirTypes() throws Exception {
        RunOutcome o = run("""
                {"name": "flow", "nodes": [
                  {"id": "a", "action": "transform", "params": {"value": {
                    "n": "${{ input.n * 2 }}", "items": "${{ input.items.map(i, i.price) }}",
                    "text": "n=${{ input.n }} first=${{ input.items[0] }}"}}},
                  {"id": "b", "action": "transform", "depends_on": ["a"],
                    "params": {"value": "${{ nodes.a.output.items.filter(p, p > 1.5).size() }}"}}],
                 "output": {"a": "${{ nodes.a.output }}", "b": "${{ nodes.b.output }}", "id": "${{ execution.id }}",
                   "status": "${{ nodes.b.status }}"}}""", "{\"n\": 21, \"items\": [{\"price\": 1.5}, {\"price\": 2}]}");

        assertThat(((RunOutcome.Succeeded) o).outputJson())
                .isEqualTo("{\"a\":{\"items\":[1.5,2],\"n\":42,\"text\":\"n=21 first={\\\"price\\\":1.5}\"},"
                        + "\"b\":1,\"id\":7,\"status\":\"succeeded\"}");
    }

    @Test
    void anOrderTotalAddsUpWholeAndDecimalPricesWithSum() throws Exception {
        String def = """
                {"name": "total", "input_schema": {"type": "object", "properties": {"items": {"type": "array",
                   "items": {"type": "object", "properties": {"qty": {"type": "integer"}, "price": {"type": "number"}}}}}},
                 "nodes": [{"id": "t", "action": "transform", "params": {"value": {
                   "total": "${{ sum(input.items.map(i, double(i.qty) * double(i.price))) }}",
                   "units": "${{ sum(input.items.map(i, i.qty)) }}",
                   "dearest": "${{ math.greatest(input.items.map(i, i.price)) }}"}}}],
                 "output": "${{ nodes.t.output }}"}""";
        // Prices that are whole numbers arrive as integers although the schema says number.
        String input =
                "{\"items\": [{\"qty\": 2, \"price\": 10}, {\"qty\": 1, \"price\": 2.5}, {\"qty\": 3, \"price\": 4}]}";

        RunOutcome o = run(def, input);

        assertThat(((RunOutcome.Succeeded) o).outputJson()).isEqualTo("{\"dearest\":10,\"total\":34.5,\"units\":6}");
    }

    @Test
    void multiplyingAWholeNumberPriceWithoutConvertingBothSidesFailsAsTheDocsWarn() throws Exception {
        String def = """
                {"name": "mixed", "nodes": [{"id": "t", "action": "transform",
                  "params": {"value": "${{ double(input.qty) * input.price }}"}}]}""";

        RunOutcome whole = run(def, "{\"qty\": 2, \"price\": 10}");
        RunOutcome decimal = run(def, "{\"qty\": 2, \"price\": 10.5}");

        assertThat(((RunOutcome.Failed) whole).error()).contains("No matching overload for function '_*_'");
        assertThat(((RunOutcome.Succeeded) decimal).outputJson()).isEqualTo("null");
    }

    @Test
    void sumOfIntegersStaysExactAndSumOfSomethingElseNamesTheElement() throws Exception {
        String def = """
                {"name": "sums", "nodes": [{"id": "t", "action": "transform",
                  "params": {"value": "${{ sum(input.xs) }}"}}], "output": "${{ nodes.t.output }}"}""";

        assertThat(((RunOutcome.Succeeded) run(def, "{\"xs\": [9007199254740993, 1]}")).outputJson())
                .isEqualTo("9007199254740994");
        assertThat(((RunOutcome.Succeeded) run(def, "{\"xs\": []}")).outputJson())
                .isEqualTo("0");
        assertThat(((RunOutcome.Failed) run(def, "{\"xs\": [1, \"2\"]}")).error())
                .contains("sum() adds numbers, but the element at index 1 is a string");
        assertThat(((RunOutcome.Failed) run(def, "{\"xs\": [9223372036854775807, 1]}")).error())
                .contains("sum() overflowed");
    }

    @Test
    void theStringsMathAndListsExtensionsAreOn() throws Exception {
        String def = """
                {"name": "ext", "nodes": [{"id": "t", "action": "transform", "params": {"value": [
                  "${{ input.tags.join(', ') }}", "${{ '  Ada '.trim().upperAscii() }}", "${{ 'a-b-c'.split('-') }}",
                  "${{ math.least([3, 1, 2]) }}", "${{ math.round(2.5) }}", "${{ math.abs(-4) }}",
                  "${{ [3, 1, 2].sort() }}", "${{ [[1], [2, 3]].flatten() }}", "${{ [1, 1, 2].distinct() }}",
                  "${{ [1, 2, 3, 4].slice(1, 3) }}"]}}], "output": "${{ nodes.t.output }}"}""";

        RunOutcome o = run(def, "{\"tags\": [\"x\", \"y\"]}");

        assertThat(((RunOutcome.Succeeded) o).outputJson())
                .isEqualTo("[\"x, y\",\"ADA\",[\"a\",\"b\",\"c\"],1,3.0,4,[1,2,3],[1,2,3],[1,2],[2,3]]");
    }

    @Test
    void conditionsSkipNodesAndAJoinAfterABranchStillRuns() throws Exception {
        String def = """
                {"name": "branch", "nodes": [
                  {"id": "start", "action": "noop"},
                  {"id": "yes", "action": "transform", "depends_on": ["start"], "when": "input.flag", "params": {"value": "yes"}},
                  {"id": "no", "action": "transform", "depends_on": ["start"], "when": "!input.flag", "params": {"value": "no"}},
                  {"id": "after_no", "action": "noop", "depends_on": ["no"]},
                  {"id": "join", "action": "transform", "depends_on": ["yes", "no"],
                    "params": {"value": "${{ [nodes.yes.status, nodes.no.status, nodes.no.output == null] }}"}}],
                 "output": "${{ nodes.join.output }}"}""";
        InMemoryAttempt a = kit.attempt(def, "{\"flag\": true}");

        RunOutcome o = a.runWith(kit.runtime);

        assertThat(((RunOutcome.Succeeded) o).outputJson()).isEqualTo("[\"succeeded\",\"skipped\",true]");
        assertThat(statuses(a, o))
                .containsEntry("yes", NodeStatus.SUCCEEDED)
                .containsEntry("no", NodeStatus.SKIPPED)
                .containsEntry("after_no", NodeStatus.SKIPPED)
                .containsEntry("join", NodeStatus.SUCCEEDED);
    }

    @Test
    void aMissingKeyIsAPermanentFailureNamingNodeExpressionAndReason() throws Exception {
        var o = (RunOutcome.Failed) run("""
                {"name": "miss", "nodes": [{"id": "greet", "action": "transform", "params": {"value": "${{ input.nope }}"}}]}""", "{}");

        assertThat(o.retryable()).isFalse();
        assertThat(o.error())
                .isEqualTo(
                        "node 'greet' (transform) params: expression 'input.nope' failed: key 'nope' is not present in map.");
        assertThat(o.unsaved()).singleElement().extracting(NodeResult::status).isEqualTo(NodeStatus.FAILED);
    }

    @Test
    void aConditionThatIsNotABooleanFailsTheNode() throws Exception {
        var o = (RunOutcome.Failed) run("""
                {"name": "c", "nodes": [{"id": "a", "action": "noop", "when": "input.n"}]}""", "{\"n\": 1}");

        assertThat(o.error())
                .isEqualTo(
                        "node 'a' (noop) condition: expression 'input.n' failed: condition must be true or false, got the number 1");
    }

    @Test
    void comprehensionsAreBoundedByTheIterationBudget() throws Exception {
        // A deadline far beyond the budget's reach, so a loaded machine meets the budget first.
        var patient = new RuntimeKit(
                Limits.defaults().withEvaluation(1024 * 1024, Duration.ofSeconds(30)),
                RuntimeOptions.defaults(),
                HttpActionOptions.defaults(),
                Clock.systemUTC());
        var o = (RunOutcome.Failed)
                patient.attempt("""
                {"name": "cost", "nodes": [{"id": "spin", "action": "transform",
                  "params": {"value": "${{ input.l.map(a, input.l.map(b, input.l.map(c, a + b + c))).size() }}"}}]}""", "{\"l\": [" + "1,".repeat(99) + "1]}").runWith(patient.runtime);

        assertThat(o.retryable()).isFalse();
        assertThat(o.error())
                .startsWith("node 'spin' (transform) params: expression ")
                .endsWith("failed: Iteration budget exceeded: 10000");
    }

    @Test
    void evaluatedValuesAreBoundedInSize() throws Exception {
        var registry = ActionRegistry.builder()
                .registerAll(BuiltinActions.create(HttpActionOptions.defaults(), Duration.ofSeconds(1)))
                .build();
        var workflows = new Workflows(registry, Limits.defaults().withMaxValueBytes(1024));
        var runtime = new WorkflowRuntime(workflows, registry, RuntimeOptions.defaults());
        String def = workflows.loadText("""
                {"name": "big", "nodes": [{"id": "fan", "action": "transform",
                  "params": {"value": "${{ input.l.map(a, input.l) }}"}}]}""", "big.json").canonicalJson();

        var o = (RunOutcome.Failed) InMemoryAttempt.first(def, "{\"l\": [" + "12345,".repeat(49) + "1]}")
                .runWith(runtime);

        assertThat(o.error()).endsWith("failed: value is larger than the limit of 1024 bytes");
    }

    @Test
    void aValueProducedByAnExpressionIsNeverEvaluatedAgain() throws Exception {
        var o = (RunOutcome.Succeeded) run("""
                {"name": "once", "nodes": [{"id": "echo", "action": "transform", "params": {"value": "${{ input.text }}"}}],
                 "output": {"echo": "${{ nodes.echo.output }}", "again": "said: ${{ nodes.echo.output }}"}}""", "{\"text\": \"${{ execution.id }}\"}");

        assertThat(o.outputJson())
                .isEqualTo("{\"again\":\"said: ${{ execution.id }}\",\"echo\":\"${{ execution.id }}\"}");
    }

    @Test
    void mapLiteralsInsidePlaceholdersWork() throws Exception {
        var o = (RunOutcome.Succeeded) run("""
                {"name": "maps", "nodes": [{"id": "m", "action": "transform", "params": {"value": "${{ {'a': {'b': input.x}} }}"}}],
                 "output": "${{ nodes.m.output.a.b }}"}""", "{\"x\": \"}}\"}");

        assertThat(o.outputJson()).isEqualTo("\"}}\"");
    }
}
