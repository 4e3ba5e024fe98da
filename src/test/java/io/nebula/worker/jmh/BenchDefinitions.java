package io.nebula.worker.jmh;

import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.WorkflowInvalidException;
import io.nebula.worker.workflow.Workflows;
import java.time.Duration;

/**
 * Definitions and inputs shared by the microbenchmarks: the single-node and five-node no-op
 * workflows the {@code bench} command drains, and an order workflow with conditions, templated
 * parameters and an output mapping, the kind of expressions real workflows evaluate per node.
 */
final class BenchDefinitions {
    static final String SINGLE = "{\"name\": \"bench-noop\", \"nodes\": [{\"id\": \"only\", \"action\": \"noop\"}]}";

    static final String DAG = """
            {"name": "bench-dag", "nodes": [
              {"id": "start", "action": "noop"},
              {"id": "a", "action": "noop", "depends_on": ["start"]},
              {"id": "b", "action": "noop", "depends_on": ["start"]},
              {"id": "c", "action": "noop", "depends_on": ["start"]},
              {"id": "join", "action": "noop", "depends_on": ["a", "b", "c"]}
            ]}
            """;

    static final String ORDER = """
            {"name": "bench-order",
             "input_schema": {"type": "object", "required": ["id", "customer", "items"],
               "properties": {"id": {"type": "string"},
                 "customer": {"type": "object", "required": ["name", "tier"]},
                 "items": {"type": "array", "items": {"type": "object", "required": ["sku", "qty", "price"]}}}},
             "nodes": [
              {"id": "score", "action": "transform", "params": {"value": {
                 "lines": "${{ input.items.size() }}",
                 "bulk": "${{ input.items.exists(i, i.qty >= 10) }}",
                 "skus": "${{ input.items.map(i, i.sku) }}"}}},
              {"id": "gate", "action": "transform", "depends_on": ["score"],
               "when": "input.customer.tier == 'gold' && nodes.score.output.lines > 2",
               "params": {"value": "order ${{ input.id }} for ${{ input.customer.name }}: ${{ nodes.score.output.lines }} lines"}}
             ],
             "output": {"id": "${{ input.id }}", "score": "${{ nodes.score.output }}", "gate": "${{ nodes.gate.status }}"}}
            """;

    static final String ORDER_INPUT = """
            {"id": "o-1001", "customer": {"name": "Ada", "tier": "gold", "since": 2019},
             "items": [{"sku": "a-1", "qty": 2, "price": 9.5}, {"sku": "b-2", "qty": 12, "price": 1.25},
                       {"sku": "c-3", "qty": 1, "price": 120.0}, {"sku": "d-4", "qty": 4, "price": 3.0}],
             "note": "leave at the door", "tags": ["vip", "express"]}
            """;

    private BenchDefinitions() {}

    /** The built-in actions, as every worker has them. */
    static ActionRegistry actions() {
        return ActionRegistry.builder()
                .registerAll(BuiltinActions.create(HttpActionOptions.defaults(), Duration.ofSeconds(5)))
                .build();
    }

    static Workflows workflows(ActionRegistry actions) {
        return new Workflows(actions, Limits.defaults());
    }

    static Workflows workflows() {
        return workflows(actions());
    }

    static LoadedWorkflow load(Workflows workflows, String json) {
        try {
            return workflows.loadText(json, "bench.json");
        } catch (WorkflowInvalidException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
