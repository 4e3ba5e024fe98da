package io.nebula.worker.faults;

import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.WorkflowInvalidException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The workflows process tests submit. Nodes named in {@link #EFFECT_NODES} run {@code
 * faults.record}, so every run of them leaves a side-effect row the checker can count.
 */
public final class FaultWorkflows {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Nodes that record a side effect per run. */
    public static final Set<String> EFFECT_NODES = Set.of("effect", "before", "after");

    /** Two nodes; the second records a side effect. For draining many executions. */
    public static final String QUICK = """
            {"name": "faults-quick",
             "nodes": [
               {"id": "start", "action": "noop"},
               {"id": "effect", "action": "faults.record", "depends_on": ["start"]}
             ],
             "output": {"key": "${{ nodes.effect.output.key }}"}}
            """;

    /**
     * The fault suite's mix, shaped by its input: {@code nap_ms} (a short sleep, or a long node of
     * a few seconds), {@code fail_times} (a transient failure on the first attempts) and a side
     * effect in parallel with the sleep, answering after {@code hold_ms}.
     */
    public static final String MIXED = """
            {"name": "faults-mixed",
             "max_retries": 5,
             "nodes": [
               {"id": "start", "action": "noop"},
               {"id": "nap", "action": "delay", "depends_on": ["start"], "params": {"ms": "${{ input.nap_ms }}"}},
               {"id": "effect", "action": "faults.record", "depends_on": ["start"],
                "params": {"hold_ms": "${{ input.hold_ms }}"}, "retry": {"attempts": 3, "backoff_ms": 100}},
               {"id": "flaky", "action": "fail", "depends_on": ["nap"],
                "params": {"retryable": true, "times": "${{ input.fail_times }}", "message": "transient on purpose"}},
               {"id": "finish", "action": "transform", "depends_on": ["flaky", "effect"],
                "params": {"value": "${{ input.tag }}"}}
             ],
             "output": {"tag": "${{ nodes.finish.output }}"}}
            """;

    /** A side effect, a long sleep ({@code nap_ms}), another side effect. */
    public static final String LONG = """
            {"name": "faults-long",
             "nodes": [
               {"id": "before", "action": "faults.record"},
               {"id": "nap", "action": "delay", "depends_on": ["before"], "params": {"ms": "${{ input.nap_ms }}"}},
               {"id": "after", "action": "faults.record", "depends_on": ["nap"]}
             ],
             "output": {"after": "${{ nodes.after.output.key }}"}}
            """;

    /** Kills the JVM that runs it. */
    public static final String HALT = """
            {"name": "faults-halt",
             "max_retries": 9,
             "nodes": [
               {"id": "start", "action": "noop"},
               {"id": "halt", "action": "faults.halt", "depends_on": ["start"], "params": {"after_ms": 300}}
             ]}
            """;

    /** Fails with a retryable error on every attempt. */
    public static final String ALWAYS_RETRYABLE = """
            {"name": "faults-retryable",
             "nodes": [{"id": "call", "action": "fail",
                        "params": {"retryable": true, "message": "upstream unavailable"}}]}
            """;

    /** Fails with a permanent error. */
    public static final String PERMANENT = """
            {"name": "faults-permanent",
             "nodes": [{"id": "call", "action": "fail", "params": {"message": "bad request"}}]}
            """;

    private FaultWorkflows() {}

    /** Each workflow's nodes and what they depend on, by workflow name and node id. */
    public static Map<String, Map<String, List<String>>> dependencies() {
        Map<String, Map<String, List<String>>> out = new HashMap<>();
        for (String json : List.of(QUICK, MIXED, LONG, HALT, ALWAYS_RETRYABLE, PERMANENT)) {
            JsonNode wf = JSON.readTree(json);
            Map<String, List<String>> nodes = new HashMap<>();
            for (JsonNode n : wf.get("nodes")) {
                List<String> deps = new ArrayList<>();
                n.path("depends_on").forEach(d -> deps.add(d.asString()));
                nodes.put(n.get("id").asString(), deps);
            }
            out.put(wf.get("name").asString(), nodes);
        }
        return out;
    }

    public static LoadedWorkflow load(WorkflowClient client, String json) {
        try {
            return client.workflows().loadText(json, "test.json");
        } catch (WorkflowInvalidException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
