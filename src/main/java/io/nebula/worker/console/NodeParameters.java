package io.nebula.worker.console;

import io.nebula.worker.json.Json;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.workflow.Bindings;
import io.nebula.worker.workflow.CompiledWorkflow;
import io.nebula.worker.workflow.EvaluationException;
import io.nebula.worker.workflow.NodeSpec;
import io.nebula.worker.workflow.WorkflowInvalidException;
import io.nebula.worker.workflow.Workflows;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A node's parameters with their expressions evaluated, as the runtime evaluates them: over the
 * execution's input and the recorded outputs of the node's upstream nodes. Results are insert-only
 * checkpoints and expressions see nothing else, so this gives what the node was called with (an
 * expression that reads {@code execution.attempt} sees the attempt in which the node finished).
 * When an upstream node has not finished, or the definition no longer compiles here, the
 * parameters are shown as written, with the reason. Secrets the parameters read are shown as
 * {@code ***}, never resolved.
 */
final class NodeParameters {
    private static final JsonMapper JSON = Json.MAPPER;

    /**
     * @param json the parameters as JSON text, or {@code null} when there are none to show
     * @param note how they were obtained
     */
    record Shown(String json, String note) {}

    private NodeParameters() {}

    static Shown of(
            Workflows workflows,
            String hash,
            String definitionJson,
            String nodeId,
            long executionId,
            int executionAttempt,
            String inputJson,
            Map<String, NodeResult> results) {
        if (definitionJson == null) {
            return new Shown(null, "The workflow definition is missing from the store.");
        }
        JsonNode written = writtenParams(definitionJson, nodeId);
        CompiledWorkflow compiled;
        try {
            compiled = workflows.compile(hash, definitionJson);
        } catch (WorkflowInvalidException e) {
            return new Shown(
                    text(written),
                    "As written: the definition does not compile in this process ("
                            + e.problems().get(0).message() + ").");
        }
        NodeSpec spec = compiled.node(nodeId);
        if (spec == null) {
            return new Shown(null, "The definition has no node with this id.");
        }
        if (spec.map() != null) {
            return new Shown(
                    text(written),
                    "As written: a map node's parameters are evaluated once per item, with 'item' and 'index'"
                            + " bound to that item.");
        }
        if (spec.childWorkflow() != null) {
            return new Shown(
                    text(childInput(definitionJson, nodeId)),
                    "As written: the input of the child execution of workflow " + spec.childWorkflow() + ".");
        }
        List<String> missing = new ArrayList<>();
        for (String up : spec.upstream()) {
            NodeResult r = results.get(up);
            if (r == null || r.status() == NodeStatus.FAILED) {
                missing.add(up);
            }
        }
        if (!missing.isEmpty()) {
            return new Shown(
                    text(written),
                    "As written: not resolved yet, because "
                            + String.join(", ", missing.stream().sorted().toList())
                            + (missing.size() == 1 ? " has" : " have") + " not succeeded.");
        }
        JsonNode input;
        try {
            input = JSON.readTree(inputJson);
        } catch (JacksonException e) {
            return new Shown(text(written), "As written: the stored input is not valid JSON.");
        }
        NodeResult own = results.get(nodeId);
        int attempt = own != null ? own.attempt() : executionAttempt;
        Bindings bindings = new Bindings(input, executionId, attempt);
        for (String up : spec.upstream()) {
            NodeResult r = results.get(up);
            bindings.record(up, r.status().dbName(), parse(r.outputJson()));
        }
        // Secrets are never resolved here: each one the params read renders as ***.
        Map<String, String> hidden = new java.util.TreeMap<>();
        spec.secrets().forEach(name -> hidden.put(name, io.nebula.worker.redact.Redaction.HIDDEN));
        try {
            JsonNode resolved = spec.resolveParams(bindings, hidden);
            return new Shown(
                    text(resolved),
                    "Resolved from the execution's input and the recorded outputs of its upstream nodes"
                            + (hidden.isEmpty()
                                    ? ""
                                    : ", secrets (" + String.join(", ", hidden.keySet()) + ") shown as ***")
                            + (own == null ? "; the node has not finished yet." : ", as in attempt " + attempt + "."));
        } catch (EvaluationException e) {
            return new Shown(text(written), "As written: evaluating them fails: " + e.getMessage());
        }
    }

    private static JsonNode childInput(String definitionJson, String nodeId) {
        try {
            for (JsonNode n : JSON.readTree(definitionJson).path("nodes")) {
                if (nodeId.equals(n.path("id").asString())) {
                    return n.get("input");
                }
            }
        } catch (JacksonException e) {
            return null;
        }
        return null;
    }

    private static JsonNode writtenParams(String definitionJson, String nodeId) {
        try {
            for (JsonNode n : JSON.readTree(definitionJson).path("nodes")) {
                if (nodeId.equals(n.path("id").asString())) {
                    return n.get("params");
                }
            }
        } catch (JacksonException e) {
            return null;
        }
        return null;
    }

    private static JsonNode parse(String json) {
        if (json == null) {
            return tools.jackson.databind.node.JsonNodeFactory.instance.nullNode();
        }
        try {
            return JSON.readTree(json);
        } catch (JacksonException e) {
            return tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(json);
        }
    }

    private static String text(JsonNode n) {
        return n == null ? null : JsonText.pretty(n);
    }
}
