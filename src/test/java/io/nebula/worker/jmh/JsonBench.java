package io.nebula.worker.jmh;

import io.nebula.worker.workflow.Bindings;
import io.nebula.worker.workflow.CompiledWorkflow;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.WorkflowInvalidException;
import io.nebula.worker.workflow.Workflows;
import java.util.List;
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
 * JSON work on the hot paths: parsing an execution input (every attempt), converting it to CEL
 * values (every attempt), checking it against an input schema (every submit), looking up a stored
 * definition (every attempt) and loading a definition from text (parse, validate, canonical form,
 * hash, compile: once per definition and process).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JsonBench {
    private final JsonMapper json = JsonMapper.builder().build();
    private Workflows workflows;
    private LoadedWorkflow order;
    private JsonNode input;

    @Setup
    public void setUp() {
        workflows = BenchDefinitions.workflows();
        order = BenchDefinitions.load(workflows, BenchDefinitions.ORDER);
        input = json.readTree(BenchDefinitions.ORDER_INPUT);
    }

    /** Jackson tree parse of a 0.4 KB execution input. */
    @Benchmark
    public JsonNode parseInput() {
        return json.readTree(BenchDefinitions.ORDER_INPUT);
    }

    /** The input as CEL sees it (maps, lists, longs), built once per attempt. */
    @Benchmark
    public Bindings celBindings() {
        return new Bindings(input, 1, 1);
    }

    /** Submit-time check of an input against the definition's input schema (parse included). */
    @Benchmark
    public List<String> validateInput() {
        return order.validateInput(BenchDefinitions.ORDER_INPUT);
    }

    /** The per-attempt lookup of a stored definition that this process has compiled before. */
    @Benchmark
    public CompiledWorkflow compileCached() throws WorkflowInvalidException {
        return workflows.compile(order.canonicalJson());
    }

    /** The same lookup by the hash the definition was stored under, as the runtime does it. */
    @Benchmark
    public CompiledWorkflow compileByHash() throws WorkflowInvalidException {
        return workflows.compile(order.hash(), order.canonicalJson());
    }

    /** Loading a definition from text: parse, validate, canonicalise, hash and compile. */
    @Benchmark
    public LoadedWorkflow loadDefinition() throws WorkflowInvalidException {
        return workflows.loadText(BenchDefinitions.ORDER, "bench.json");
    }
}
