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
 * the values a node's params read, given for that one rendering. The input and node values are
 * converted to CEL form once, when an expression first reads them, not at every evaluation; an
 * attempt whose expressions never read them (or that has none) never converts them.
 *
 * <p>Thread-safe: the runtime records results as nodes finish while it evaluates others.
 */
public final class Bindings {
    private final JsonNode input;
    private final long executionId;
    private final int attempt;
    private final Map<String, Recorded> nodes = new ConcurrentHashMap<>();
    private volatile Object celInput;
    private volatile Map<String, Object> execution;

    public Bindings(JsonNode input, long executionId, int attempt) {
        this.input = input;
        this.executionId = executionId;
        this.attempt = attempt;
    }

    /** A recorded node; its CEL form is made on first read (a race makes it twice, equal). */
    private static final class Recorded {
        private final String status;
        private final JsonNode output;
        private volatile Map<String, Object> cel;

        Recorded(String status, JsonNode output) {
            this.status = status;
            this.output = output;
        }

        Map<String, Object> cel() {
            Map<String, Object> v = cel;
            if (v == null) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("output", CelValues.toCel(output));
                m.put("status", status);
                v = m;
                cel = v;
            }
            return v;
        }
    }

    /**
     * Makes a finished node visible to expressions.
     *
     * @param status {@code succeeded} or {@code skipped}
     * @param output the node's output; JSON null for a skipped node
     */
    public void record(String nodeId, String status, JsonNode output) {
        nodes.put(nodeId, new Recorded(status, output));
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
        Map<String, Object> shown = new HashMap<>();
        if (visible == null) {
            nodes.forEach((id, r) -> shown.put(id, r.cel()));
        } else {
            for (String id : visible) {
                Recorded r = nodes.get(id);
                if (r != null) {
                    shown.put(id, r.cel());
                }
            }
        }
        Object in = celInput;
        if (in == null) {
            in = CelValues.toCel(input);
            celInput = in;
        }
        Map<String, Object> exec = execution;
        if (exec == null) {
            exec = Map.of("id", executionId, "attempt", (long) attempt);
            execution = exec;
        }
        return Map.of("input", in, "execution", exec, "nodes", shown, SecretReads.VARIABLE, secrets);
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
