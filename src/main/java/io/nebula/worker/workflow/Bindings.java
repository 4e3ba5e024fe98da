package io.nebula.worker.workflow;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/**
 * The data expressions of one execution attempt see: {@code input}, {@code execution} ({@code id},
 * {@code attempt}) and {@code nodes} (id to {@code {output, status}}); {@code secrets} only holds
 * the values a node's params read, given for that one rendering. Node values are converted
 * to CEL form once, when recorded, not at every evaluation.
 *
 * <p>Thread-safe: the runtime records results as nodes finish while it evaluates others.
 */
public final class Bindings {
    private final Object input;
    private final Map<String, Object> execution;
    private final Map<String, Object> nodes = new ConcurrentHashMap<>();

    public Bindings(JsonNode input, long executionId, int attempt) {
        this.input = CelValues.toCel(input);
        this.execution = Map.of("id", executionId, "attempt", (long) attempt);
    }

    /**
     * Makes a finished node visible to expressions.
     *
     * @param status {@code succeeded} or {@code skipped}
     * @param output the node's output; JSON null for a skipped node
     */
    public void record(String nodeId, String status, JsonNode output) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("output", CelValues.toCel(output));
        v.put("status", status);
        nodes.put(nodeId, v);
    }

    /**
     * Variables for one evaluation. {@code visible} limits {@code nodes} to the given ids (a
     * node's upstream nodes), so what an expression sees does not depend on which unrelated
     * branches happen to have finished; {@code null} shows every recorded node.
     */
    Map<String, Object> variables(Set<String> visible) {
        return variables(visible, Map.of());
    }

    /** As {@link #variables(Set)}, with {@code secrets} bound to the given values by name. */
    Map<String, Object> variables(Set<String> visible, Map<String, String> secrets) {
        Map<String, Object> shown;
        if (visible == null) {
            shown = new HashMap<>(nodes);
        } else {
            shown = new HashMap<>();
            for (String id : visible) {
                Object v = nodes.get(id);
                if (v != null) {
                    shown.put(id, v);
                }
            }
        }
        return Map.of("input", input, "execution", execution, "nodes", shown, SecretReads.VARIABLE, secrets);
    }

    /**
     * As {@link #variables(Set, Map)}, with one element of a map node's items as {@code item} and
     * {@code index}.
     */
    Map<String, Object> itemVariables(Set<String> visible, Map<String, String> secrets, Object item, long index) {
        Map<String, Object> vars = new HashMap<>(variables(visible, secrets));
        vars.put("item", item);
        vars.put("index", index);
        return vars;
    }
}
