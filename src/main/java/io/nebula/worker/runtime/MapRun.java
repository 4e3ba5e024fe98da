package io.nebula.worker.runtime;

import io.nebula.worker.action.Action;
import io.nebula.worker.workflow.MapSpec;
import io.nebula.worker.workflow.NodeSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The state of one map node inside one attempt: which items are done (recorded by this attempt or
 * an earlier one), which run, which failed, and the outputs so far. Touched only by the attempt's
 * scheduler thread.
 */
final class MapRun {
    final NodeSpec node;
    final MapSpec spec;
    /** The action each item runs; {@code null} on a workflow node, whose items start children. */
    final Action action;

    final List<?> items;
    /** The values of the secrets the node's params read, resolved when the map started. */
    final Map<String, String> secretValues;

    final Instant startedAt;
    /** Each item's output once it succeeded, else {@code null}. */
    private final JsonNode[] outputs;

    /** The next index to consider starting; every item below it has started or was done. */
    int next;

    int running;
    /** Children of a map over a workflow node found still going in this attempt (no thread runs them). */
    int waiting;

    /** On a workflow node: this attempt has looked at the children (once per attempt). */
    boolean looked;

    /** On a workflow node: items an earlier look of this run recorded as failed. */
    private boolean[] settled;

    /** On a workflow node: this look writes the map's start record, durable before any child starts. */
    boolean recordFirst;

    /** On a workflow node: when the execution's current run started, by the store's clock (or {@code null}). */
    java.time.Instant since;

    int succeeded;
    int failed;
    /** Whether every failed item failed retryably (a retry of the execution may then help). */
    boolean retryable = true;
    /** The first failed item's message. */
    String firstError;

    MapRun(NodeSpec node, Action action, List<?> items, Map<String, String> secretValues, Instant startedAt) {
        this.node = node;
        this.spec = node.map();
        this.action = action;
        this.items = items;
        this.secretValues = secretValues;
        this.startedAt = startedAt;
        this.outputs = new JsonNode[items.size()];
    }

    int size() {
        return items.size();
    }

    boolean isDone(int index) {
        return outputs[index] != null;
    }

    void succeeded(int index, JsonNode output) {
        outputs[index] = output == null ? JsonNodeFactory.instance.nullNode() : output;
        succeeded++;
    }

    /** Counts item {@code index} as failed with {@code message}, as an earlier look recorded it. */
    void settleFailed(int index, String message) {
        if (settled == null) {
            settled = new boolean[outputs.length];
        }
        settled[index] = true;
        failed(message, false);
    }

    /** Whether item {@code index} was recorded as failed by an earlier look of this run. */
    boolean isSettled(int index) {
        return settled != null && settled[index];
    }

    void failed(String message, boolean canRetry) {
        failed++;
        retryable &= canRetry;
        if (firstError == null) {
            firstError = message;
        }
    }

    /** Whether items not yet started may still start under the node's failure policy. */
    boolean mayStartMore() {
        return next < items.size() && spec.keepsGoing(failed);
    }

    /** Whether the map has ended: nothing runs, no child is still going and nothing more will start. */
    boolean ended() {
        return running == 0 && waiting == 0 && !mayStartMore();
    }

    /** The node's output: every item's output in input order, JSON null for an item that failed. */
    ArrayNode output() {
        ArrayNode out = JsonNodeFactory.instance.arrayNode(outputs.length);
        for (JsonNode o : outputs) {
            out.add(o == null ? JsonNodeFactory.instance.nullNode() : o);
        }
        return out;
    }
}
