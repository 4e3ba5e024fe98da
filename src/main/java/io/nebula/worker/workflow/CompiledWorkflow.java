package io.nebula.worker.workflow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A validated definition ready to run: nodes with compiled expressions, the output mapping and
 * the input schema. Immutable and shared by every execution pinned to the same {@link #hash()}.
 */
public final class CompiledWorkflow {
    private final String name;
    private final String description;
    private final String hash;
    private final Integer maxRetries;
    private final java.time.Duration timeout;
    private final InputSchema inputSchema;
    private final List<NodeSpec> nodes;
    private final Map<String, NodeSpec> byId;
    private final Template output;
    private final Limits limits;
    private final boolean startsChildren;

    CompiledWorkflow(
            String name,
            String description,
            String hash,
            Integer maxRetries,
            java.time.Duration timeout,
            InputSchema inputSchema,
            List<NodeSpec> nodes,
            Template output,
            Limits limits) {
        this.name = name;
        this.description = description;
        this.hash = hash;
        this.maxRetries = maxRetries;
        this.timeout = timeout;
        this.inputSchema = inputSchema;
        this.nodes = List.copyOf(nodes);
        Map<String, NodeSpec> m = new LinkedHashMap<>();
        nodes.forEach(n -> m.put(n.id(), n));
        this.byId = m;
        this.output = output;
        this.limits = limits;
        this.startsChildren = nodes.stream().anyMatch(n -> n.childWorkflow() != null);
    }

    /** Whether a node of the workflow starts child executions (a workflow node). */
    public boolean startsChildren() {
        return startsChildren;
    }

    public String name() {
        return name;
    }

    /** The description, or {@code null}. */
    public String description() {
        return description;
    }

    /** SHA-256 hex of the canonical JSON. */
    public String hash() {
        return hash;
    }

    /**
     * The definition's {@code timeout_seconds}: how long an execution may take from its first
     * start, waits and retries included; {@code null} without one.
     */
    public java.time.Duration timeout() {
        return timeout;
    }

    /** The definition's {@code max_retries}, or {@code null} to use the queue's default. */
    public Integer maxRetries() {
        return maxRetries;
    }

    /** Nodes in the order written. */
    public List<NodeSpec> nodes() {
        return nodes;
    }

    public NodeSpec node(String id) {
        return byId.get(id);
    }

    /** Problems with an execution input (empty when acceptable, or when there is no schema). */
    public List<String> validateInput(JsonNode input) {
        return inputSchema == null ? List.of() : inputSchema.validate(input);
    }

    /** Renders the output mapping over every finished node; JSON null when there is none. */
    public JsonNode renderOutput(Bindings bindings) throws EvaluationException {
        return Template.render(output, () -> bindings.variables(null), new Evaluation(limits));
    }
}
