package io.nebula.worker.jmh;

import io.nebula.worker.workflow.Bindings;
import io.nebula.worker.workflow.CompiledWorkflow;
import io.nebula.worker.workflow.EvaluationException;
import io.nebula.worker.workflow.NodeSpec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * CEL expression evaluation as the runtime does it for every node: a {@code when} condition, a
 * parameter template with three expressions (size, a macro, a map), a string interpolation, and
 * the workflow's output mapping. Expressions are compiled once per definition, so this is the
 * per-node cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ExpressionBench {
    private CompiledWorkflow workflow;
    private NodeSpec score;
    private NodeSpec gate;
    private Bindings bindings;

    @Setup
    public void setUp() throws EvaluationException {
        workflow = BenchDefinitions.load(BenchDefinitions.workflows(), BenchDefinitions.ORDER)
                .workflow();
        score = workflow.node("score");
        gate = workflow.node("gate");
        JsonNode input = JsonMapper.builder().build().readTree(BenchDefinitions.ORDER_INPUT);
        bindings = new Bindings(input, 42, 1);
        bindings.record("score", "succeeded", score.resolveParams(bindings).get("value"));
        bindings.record("gate", "succeeded", gate.resolveParams(bindings).get("value"));
    }

    /** A boolean condition over the input and an upstream output. */
    @Benchmark
    public boolean condition() throws EvaluationException {
        return gate.shouldRun(bindings);
    }

    /** An object template with three expressions, including two comprehension macros. */
    @Benchmark
    public JsonNode templatedParams() throws EvaluationException {
        return score.resolveParams(bindings);
    }

    /** A string with three interpolated expressions. */
    @Benchmark
    public JsonNode interpolatedString() throws EvaluationException {
        return gate.resolveParams(bindings);
    }

    /** The output mapping over every finished node. */
    @Benchmark
    public JsonNode outputMapping() throws EvaluationException {
        return workflow.renderOutput(bindings);
    }
}
