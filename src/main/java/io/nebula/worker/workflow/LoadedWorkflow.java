package io.nebula.worker.workflow;

import io.nebula.worker.json.Json;
import io.nebula.worker.queue.WorkflowDocument;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A definition read from a file or text and found valid: what submit needs to store it and to
 * enqueue executions of it.
 *
 * @param canonicalJson the definition's canonical text (sorted keys, no whitespace): store this
 * @param hash SHA-256 hex of {@code canonicalJson}; executions reference it
 * @param workflow the compiled form, for input validation and running
 * @param children the sub-workflow files its workflow nodes name, one entry per node
 * @param childExecutionsAtMost the most executions one run of it starts through its sub-workflow
 *     nodes, theirs counted (an upper bound: a node skipped by its condition starts none; a map
 *     over a workflow node counts once per item it may have); capped at a billion
 */
public record LoadedWorkflow(
        String canonicalJson,
        String hash,
        CompiledWorkflow workflow,
        List<LoadedWorkflow> children,
        long childExecutionsAtMost) {
    private static final JsonMapper JSON = Json.MAPPER;

    public LoadedWorkflow {
        children = List.copyOf(children);
    }

    /** A definition without sub-workflow files. */
    public LoadedWorkflow(String canonicalJson, String hash, CompiledWorkflow workflow) {
        this(canonicalJson, hash, workflow, List.of(), 0);
    }

    /**
     * The most executions a run starts through sub-workflow nodes that run {@code children}, the
     * node of {@code children.get(i)} starting {@code times.get(i)} of them (its map's items, or
     * one), each with what it starts in turn; capped at a billion.
     */
    static long executionsStartedAtMost(List<LoadedWorkflow> children, List<Long> times) {
        final long cap = 1_000_000_000L;
        long n = 0;
        for (int i = 0; i < children.size(); i++) {
            long each = Math.min(cap, 1 + children.get(i).childExecutionsAtMost());
            long t = times.get(i);
            long these = t == 0 ? 0 : (each > cap / t ? cap : each * t);
            n = Math.min(cap, n + these);
        }
        return n;
    }

    /**
     * The records the store must keep to run this workflow: those of the sub-workflow files it
     * was loaded with (theirs first, each once), then its own.
     */
    public List<WorkflowDocument> documents() {
        java.util.Map<String, WorkflowDocument> out = new java.util.LinkedHashMap<>();
        collect(this, out);
        return List.copyOf(out.values());
    }

    private static void collect(LoadedWorkflow w, java.util.Map<String, WorkflowDocument> out) {
        for (LoadedWorkflow c : w.children) {
            collect(c, out);
        }
        out.putIfAbsent(w.hash, w.document());
    }

    public String name() {
        return workflow.name();
    }

    /** {@code max_retries} from the definition, or {@code null} to use the queue's default. */
    public Integer maxRetries() {
        return workflow.maxRetries();
    }

    /**
     * Checks an execution input against the definition's {@code input_schema}.
     *
     * @param inputJson the input as JSON text; {@code null} or blank means {@code {}}, as at run time
     * @return problems, one per line-worthy message; empty when the input is acceptable
     */
    public List<String> validateInput(String inputJson) {
        JsonNode input;
        try {
            input = inputJson == null || inputJson.isBlank()
                    ? JsonNodeFactory.instance.objectNode()
                    : JSON.readTree(inputJson);
        } catch (JacksonException e) {
            return List.of("input is not valid JSON: " + e.getOriginalMessage());
        }
        return workflow.validateInput(input);
    }

    /** Checks an already parsed execution input against the definition's {@code input_schema}. */
    public List<String> validateInputValue(JsonNode input) {
        return workflow.validateInput(input);
    }

    /** The record the store keeps. */
    public WorkflowDocument document() {
        return new WorkflowDocument(hash, workflow.name(), canonicalJson);
    }
}
