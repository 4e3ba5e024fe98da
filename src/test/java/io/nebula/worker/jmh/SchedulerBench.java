package io.nebula.worker.jmh;

import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.runtime.RuntimeOptions;
import io.nebula.worker.runtime.WorkflowRuntime;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.Workflows;
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

/**
 * One attempt through the real runtime ({@link WorkflowRuntime}) with no-op actions and an
 * in-memory attempt: definition lookup, input parse, scheduling, node launch, result collection
 * and output. This is the worker's CPU cost per execution outside the database, the part that
 * competes with PostgreSQL for the same cores in the drain benchmark.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SchedulerBench {
    private WorkflowRuntime runtime;
    private LoadedWorkflow single;
    private LoadedWorkflow dag;
    private LoadedWorkflow order;
    private long id;

    @Setup
    public void setUp() {
        ActionRegistry actions = BenchDefinitions.actions();
        Workflows workflows = BenchDefinitions.workflows(actions);
        single = BenchDefinitions.load(workflows, BenchDefinitions.SINGLE);
        dag = BenchDefinitions.load(workflows, BenchDefinitions.DAG);
        order = BenchDefinitions.load(workflows, BenchDefinitions.ORDER);
        runtime = new WorkflowRuntime(workflows, actions, RuntimeOptions.defaults());
    }

    /** The drain benchmark's workflow: one no-op node. */
    @Benchmark
    public RunOutcome singleNode() {
        return runtime.run(new MemoryAttempt(++id, single.hash(), single.canonicalJson(), "{}"));
    }

    /** Five no-op nodes: a fan-out of three and a join. */
    @Benchmark
    public RunOutcome fiveNodeDag() {
        return runtime.run(new MemoryAttempt(++id, dag.hash(), dag.canonicalJson(), "{}"));
    }

    /** Two transform nodes with a condition, templates and an output mapping over a 0.4 KB input. */
    @Benchmark
    public RunOutcome orderWorkflow() {
        return runtime.run(new MemoryAttempt(++id, order.hash(), order.canonicalJson(), BenchDefinitions.ORDER_INPUT));
    }
}
