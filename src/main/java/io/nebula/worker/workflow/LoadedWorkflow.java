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
 */
public record LoadedWorkflow(
        String canonicalJson, String hash, CompiledWorkflow workflow, List<LoadedWorkflow> children) {
    private static final JsonMapper JSON = Json.MAPPER;

    public LoadedWorkflow {
        children = List.copyOf(children);
    }

    /** A definition without sub-workflow files. */
    public LoadedWorkflow(String canonicalJson, String hash, CompiledWorkflow workflow) {
        this(canonicalJson, hash, workflow, List.of());
    }

    /**
     * The most executions one run of this workflow starts through its sub-workflow nodes, theirs
     * counted (an upper bound: a node skipped by its condition starts none); capped at a billion.
     */
    public long childExecutionsAtMost() {
        return executionsStartedAtMost(children);
    }

    /** As {@link #childExecutionsAtMost()}, for a workflow whose sub-workflow nodes load {@code children}. */
    static long executionsStartedAtMost(List<LoadedWorkflow> children) {
        long n = 0;
        for (LoadedWorkflow c : children) {
            n = Math.min(1_000_000_000L, n + 1 + c.childExecutionsAtMost());
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
