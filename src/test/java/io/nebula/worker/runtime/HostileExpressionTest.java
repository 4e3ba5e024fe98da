package io.nebula.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.workflow.Expressions;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.WorkflowInvalidException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Expressions written to exhaust a worker: memory by concatenation, CPU by a regular expression
 * whose program multiplies out or by slow steps repeated, and compile time by a definition of
 * many expressions. Each must fail its own node permanently, naming the budget and the node.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileExpressionTest {
    /**
     * A deadline far above what the tests that are not about it need, so that on a loaded machine
     * they fail on the budget they test and nothing else; the deadline tests use {@link #DEADLINE}.
     */
    private static final Limits LIMITS = Limits.defaults().withEvaluation(1024 * 1024, Duration.ofSeconds(20));

    private static final Limits DEADLINE = Limits.defaults().withEvaluation(1024 * 1024, Duration.ofMillis(300));

    private final RuntimeKit kit =
            new RuntimeKit(LIMITS, RuntimeOptions.defaults(), HttpActionOptions.defaults(), Clock.systemUTC());

    private final RuntimeKit deadlineKit =
            new RuntimeKit(DEADLINE, RuntimeOptions.defaults(), HttpActionOptions.defaults(), Clock.systemUTC());

    @BeforeAll
    static void warm() {
        new Expressions(Limits.defaults()).warmUp();
    }

    private RunOutcome.Failed fails(String definition, String input) throws Exception {
        return fails(kit, definition, input);
    }

    private static RunOutcome.Failed fails(RuntimeKit kit, String definition, String input) throws Exception {
        RunOutcome o = kit.attempt(definition, input).runWith(kit.runtime);
        assertThat(o).isInstanceOf(RunOutcome.Failed.class);
        var f = (RunOutcome.Failed) o;
        assertThat(f.retryable()).as("a budget exceeded is permanent").isFalse();
        return f;
    }

    /** {@code (((s + s) + (s + s)) + ...)} with {@code leaves} leaves: each level doubles the string. */
    private static String balanced(int leaves) {
        String e = "input.s";
        for (int n = 1; n < leaves; n *= 2) {
            e = "(" + e + " + " + e + ")";
        }
        return e;
    }

    /**
     * The deepest {@code text} wrapped {@code n} times that still compiles, found by halving below
     * {@code bad}, a depth that is refused for its nesting while its text is under 4,096 characters.
     */
    private int deepestAccepted(java.util.function.IntFunction<String> nested, int bad) {
        int ok = 1;
        while (bad - ok > 1) {
            int mid = (ok + bad) / 2;
            try {
                kit.load(nested.apply(mid));
                ok = mid;
            } catch (WorkflowInvalidException e) {
                assertThat(e.getMessage()).contains("': it is nested more than 250 levels deep (each operator");
                bad = mid;
            }
        }
        return ok;
    }

    @Test
    void theDeepestExpressionsTheParserAcceptsEvaluateOnAnExecutionsThread() throws Exception {
        java.util.function.IntFunction<String> chain = n -> """
                {"name": "chain", "nodes": [{"id": "sum", "action": "transform",
                  "params": {"value": "${{ %s }}"}}]}""".formatted("1" + "+1".repeat(n - 1));
        java.util.function.IntFunction<String> parens = n -> """
                {"name": "parens", "nodes": [{"id": "one", "action": "transform",
                  "params": {"value": "${{ %s }}"}}]}""".formatted("(".repeat(n) + "1" + ")".repeat(n));
        java.util.function.IntFunction<String> calls = n -> """
                {"name": "calls", "nodes": [{"id": "len", "action": "transform",
                  "params": {"value": "${{ %s }}"}}]}""".formatted("string(".repeat(n) + "1" + ")".repeat(n));
        java.util.function.IntFunction<String> macros = n -> {
            StringBuilder e = new StringBuilder();
            for (int i = 0; i < n; i++) {
                e.append("[1].map(x").append(i).append(", ");
            }
            return """
                {"name": "macros", "nodes": [{"id": "lists", "action": "transform",
                  "params": {"value": "${{ %s }}"}}]}""".formatted(e + "1" + ")".repeat(n));
        };

        int terms = deepestAccepted(chain, 500);
        assertThat(terms).as("a flat sum of 70 terms is accepted").isGreaterThan(70);
        for (String definition : new String[] {
            chain.apply(terms),
            parens.apply(deepestAccepted(parens, 500)),
            calls.apply(deepestAccepted(calls, 500)),
            macros.apply(deepestAccepted(macros, 250))
        }) {
            // On a virtual thread, as the worker runs executions: its stack is bounded as a platform
            // thread's is, where the test runner's main thread may have far more.
            InMemoryAttempt a = kit.attempt(definition, "{}");
            var outcome = new java.util.concurrent.atomic.AtomicReference<Object>();
            Thread.ofVirtual()
                    .start(() -> {
                        try {
                            outcome.set(a.runWith(kit.runtime));
                        } catch (Throwable t) {
                            outcome.set(t);
                        }
                    })
                    .join();
            assertThat(outcome.get()).as(definition).isInstanceOf(RunOutcome.Succeeded.class);
        }
        assertThatThrownBy(() -> kit.load(chain.apply(terms + 1)))
                .isInstanceOf(WorkflowInvalidException.class)
                .hasMessageContaining("': it is nested more than 250 levels deep");
    }

    @Test
    void aConcatenationThatWouldBuildHundredsOfMegabytesFailsItsNodeNamingTheBudget() throws Exception {
        String input = "{\"s\": \"" + "x".repeat(256 * 1024) + "\"}";
        var f = fails("""
                {"name": "memory", "nodes": [{"id": "blow", "action": "transform",
                  "params": {"value": "${{ size(%s) }}"}}]}""".formatted(balanced(256)), input);

        assertThat(f.error())
                .startsWith("node 'blow' (transform) params: expression '")
                .endsWith("the evaluation would build more than 1048576 bytes (limits.expression_bytes)");
        assertThat(f.unsaved()).singleElement().extracting(NodeResult::status).isEqualTo(NodeStatus.FAILED);
    }

    @Test
    void theStringsAndListsExtensionsCountTowardsTheSameBudgetBeforeTheyMultiplyAnInput() throws Exception {
        String input = "{\"s\": \"" + "a".repeat(4_096) + "\", \"l\": [" + "1,".repeat(2_000) + "1]}";
        var replace = fails("""
                {"name": "replace", "nodes": [{"id": "swell", "action": "transform",
                  "params": {"value": "${{ size(input.s.replace('a', input.s)) }}"}}]}""", input);
        var join = fails("""
                {"name": "join", "nodes": [{"id": "glue", "action": "transform",
                  "params": {"value": "${{ size(input.l.map(i, input.s).join(',')) }}"}}]}""", input);
        var copies = fails("""
                {"name": "copies", "nodes": [{"id": "upper", "action": "transform",
                  "params": {"value": "${{ input.l.map(i, input.s.upperAscii()).size() }}"}}]}""", input);
        var lists = fails("""
                {"name": "sorts", "nodes": [{"id": "sort", "action": "transform",
                  "params": {"value": "${{ input.l.map(i, input.l.sort()).size() }}"}}]}""", input);

        assertThat(replace.error()).contains("node 'swell'").endsWith("(limits.expression_bytes)");
        assertThat(join.error()).contains("node 'glue'").endsWith("(limits.expression_bytes)");
        assertThat(copies.error()).contains("node 'upper'").endsWith("(limits.expression_bytes)");
        assertThat(lists.error()).contains("node 'sort'").endsWith("(limits.expression_bytes)");
    }

    @Test
    void listsAndBytesCountTowardsTheSameBudget() throws Exception {
        String input = "{\"l\": [" + "1,".repeat(20_000) + "1]}";
        var lists = fails("""
                {"name": "lists", "nodes": [{"id": "grow", "action": "transform",
                  "params": {"value": "${{ size(input.l + input.l + input.l + input.l + input.l + input.l + input.l) }}"}}]}""", input);
        var bytes = fails("""
                {"name": "bytes", "nodes": [{"id": "conv", "action": "transform",
                  "params": {"value": "${{ input.l.map(i, bytes('%s')).size() }}"}}]}""".formatted("y".repeat(2_000)), input);

        assertThat(lists.error()).endsWith("(limits.expression_bytes)").contains("node 'grow'");
        assertThat(bytes.error()).endsWith("(limits.expression_bytes)").contains("node 'conv'");
    }

    @Test
    void ordinaryConcatenationAndComprehensionsStillWork() throws Exception {
        var o = (RunOutcome.Succeeded)
                kit.attempt("""
                        {"name": "fine", "nodes": [{"id": "a", "action": "transform",
                          "params": {"value": "${{ input.l.map(i, 'item-' + string(i)).filter(s, s.matches('^item-[0-9]+$')) + ['x'] }}"}}],
                         "output": "${{ size(nodes.a.output) }}"}""", "{\"l\": [" + "1,".repeat(999) + "1]}").runWith(kit.runtime);

        assertThat(o)
                .isInstanceOfSatisfying(
                        RunOutcome.Succeeded.class,
                        s -> assertThat(s.outputJson()).isEqualTo("1001"));
    }

    @Test
    void aLiteralRegexWhoseProgramMultipliesOutIsRefusedWhenTheDefinitionIsLoaded() {
        assertThatThrownBy(() -> kit.load("""
                        {"name": "regex", "nodes": [{"id": "a", "action": "noop",
                          "when": "'a'.matches('((a{1000}){1000}){1000}')"}]}"""))
                .isInstanceOf(WorkflowInvalidException.class)
                .hasMessageContaining("/nodes/0/when (node 'a'): expression ")
                .hasMessageContaining("regular expression is too large")
                .hasMessageContaining("more than the limit of 5000 (limits.regex_program_size)");
    }

    @Test
    void aRegexFromTheInputIsRefusedBeforeItIsCompiled() throws Exception {
        var f = fails("""
                {"name": "regex", "nodes": [{"id": "match", "action": "noop", "when": "'a'.matches(input.p)"}]}""", "{\"p\": \"((a{1000}){1000}){1000}\"}");

        assertThat(f.error())
                .startsWith("node 'match' (noop) condition: expression ''a'.matches(input.p)' failed: ")
                .endsWith("more than the limit of 5000 (limits.regex_program_size)");
    }

    @Test
    void slowStepsRepeatedHitTheEvaluationDeadlineInParamsConditionsAndOutput() throws Exception {
        String input = "{\"s\": \"" + "a".repeat(200_000) + "\", \"l\": [" + "1,".repeat(9_000) + "1]}";
        String slow = "input.l.all(i, !input.s.matches('(a|aa)*b'))";

        var params = fails(deadlineKit, """
                {"name": "p", "nodes": [{"id": "spin", "action": "transform", "params": {"value": "${{ %s }}"}}]}""".formatted(slow), input);
        var condition = fails(deadlineKit, """
                {"name": "c", "nodes": [{"id": "gate", "action": "noop", "when": "%s"}]}""".formatted(slow), input);
        var output = fails(deadlineKit, """
                {"name": "o", "nodes": [{"id": "a", "action": "noop"}], "output": "${{ %s }}"}""".formatted(slow), input);

        String budget = "the evaluation took longer than 300 ms (limits.expression_timeout_ms)";
        assertThat(params.error())
                .startsWith("node 'spin' (transform) params: ")
                .endsWith(budget);
        assertThat(condition.error())
                .startsWith("node 'gate' (noop) condition: ")
                .endsWith(budget);
        assertThat(output.error()).startsWith("output mapping: ").endsWith(budget);
    }

    @Test
    void aSearchThatWouldCompareItsPatternAtEveryPositionEndsWellWithinTheDeadline() throws Exception {
        // CEL compares the pattern at each of the text's positions: about 6e10 comparisons here,
        // a minute inside one step, past the deadline. The searches now take linear time.
        RuntimeKit twoSeconds = new RuntimeKit(
                Limits.defaults().withEvaluation(1024 * 1024, Duration.ofSeconds(2)),
                RuntimeOptions.defaults(),
                HttpActionOptions.defaults(),
                Clock.systemUTC());
        String input = "{\"a\": \"" + "a".repeat(500_000) + "b\", \"b\": \"" + "a".repeat(249_999) + "b\"}";

        RunOutcome o = twoSeconds.attempt("""
                        {"name": "search", "nodes": [{"id": "s", "action": "transform", "params": {"value": "${{ [\
                        input.a.contains(input.b), input.a.indexOf(input.b), input.a.lastIndexOf(input.b), \
                        size(input.a.replace(input.b, 'x')), size(input.a.split(input.b))] }}"}}],
                         "output": "${{ nodes.s.output }}"}""", input).runWith(twoSeconds.runtime);

        assertThat(o)
                .isInstanceOfSatisfying(
                        RunOutcome.Succeeded.class,
                        s -> assertThat(s.outputJson()).isEqualTo("[true,250001,250001,250002,2]"));
    }

    @Test
    void anOutputNestedPastTheJsonBoundFailsNamingTheBound() throws Exception {
        // The input is accepted at the bound (500 levels with its own object); the output nests 501.
        String input = "{\"x\": " + "[".repeat(499) + "]".repeat(499) + "}";
        var f = fails("""
                {"name": "deep", "nodes": [{"id": "wrap", "action": "transform",
                  "params": {"value": "${{ {'a': {'b': input.x}} }}"}}]}""", input);

        assertThat(f.error())
                .startsWith("node 'wrap' (transform)")
                .contains("nested more than 500 levels deep")
                .doesNotContain("Exception");
    }

    @Test
    void oneLongMatchIsInterruptedByTheDeadline() throws Exception {
        String input = "{\"s\": \"" + "a".repeat(900_000) + "\"}";
        var f = fails(deadlineKit, """
                {"name": "m", "nodes": [{"id": "m", "action": "noop",
                  "when": "input.s.matches('([a-z]+[0-9]?){30}x')"}]}""", input);

        assertThat(f.error()).endsWith("(limits.expression_timeout_ms)");
    }

    @Test
    void aStoredDefinitionOverTheExpressionBudgetFailsAtTheWorkerWithOneProblem() throws Exception {
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 12_000; i++) {
            values.append(i == 0 ? "" : ",").append("\"${{1}}\"");
        }
        String definition =
                "{\"name\":\"many\",\"nodes\":[{\"action\":\"transform\",\"id\":\"a\",\"params\":{\"value\":[" + values
                        + "]}}]}";

        var f = (RunOutcome.Failed) InMemoryAttempt.first(definition, "{}").runWith(kit.runtime);

        assertThat(f.retryable()).isFalse();
        assertThat(f.error())
                .startsWith("workflow definition is not valid on this worker:")
                .contains("the definition has more than 10000 expressions (limits.expressions_per_definition)")
                .hasLineCount(2);
    }

    @Test
    void compilingIsBoundedInTime() {
        var tight = new RuntimeKit(
                Limits.defaults().withCompile(100_000, Duration.ofMillis(1)),
                RuntimeOptions.defaults(),
                HttpActionOptions.defaults(),
                Clock.systemUTC());
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            values.append(i == 0 ? "" : ",")
                    .append("\"${{ input.n + ")
                    .append(i)
                    .append(" }}\"");
        }

        assertThatThrownBy(() -> tight.load("{\"name\":\"slow\",\"nodes\":[{\"id\":\"a\",\"action\":\"transform\","
                        + "\"params\":{\"value\":[" + values + "]}}]}"))
                .isInstanceOf(WorkflowInvalidException.class)
                .hasMessageContaining(
                        "compiling the definition's expressions took longer than 1 ms" + " (limits.compile_timeout_ms)")
                .satisfies(e ->
                        assertThat(((WorkflowInvalidException) e).problems()).hasSize(1));
    }
}
