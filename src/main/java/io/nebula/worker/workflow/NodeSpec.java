package io.nebula.worker.workflow;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * One node of a compiled workflow: what to run, after what, when, and how hard to try. Its
 * expressions are compiled; {@link #resolveParams} and {@link #shouldRun} evaluate them against
 * the execution's {@link Bindings}, seeing only this node's upstream nodes.
 */
public final class NodeSpec {
    private final String id;
    private final String action;
    private final Template params;
    private final Set<String> secrets;
    private final List<String> dependsOn;
    private final Expression when;
    private final RetryPolicy retry;
    private final Duration timeout;
    private final Limits limits;
    private final MapSpec map;
    private final String childWorkflow;
    private final String childQueue;
    private Set<String> upstream = Set.of();

    /** What {@link #action()} says for a node that runs a sub-workflow. */
    public static final String WORKFLOW = "workflow";

    NodeSpec(
            String id,
            String action,
            Template params,
            Set<String> secrets,
            List<String> dependsOn,
            Expression when,
            RetryPolicy retry,
            Duration timeout,
            Limits limits,
            MapSpec map,
            String childWorkflow,
            String childQueue) {
        this.id = id;
        this.action = action;
        this.params = params;
        this.secrets = Set.copyOf(secrets);
        this.dependsOn = List.copyOf(dependsOn);
        this.when = when;
        this.retry = retry;
        this.timeout = timeout;
        this.limits = limits;
        this.map = map;
        this.childWorkflow = childWorkflow;
        this.childQueue = childQueue;
    }

    /**
     * For a node that runs a sub-workflow, the content hash of that workflow (its {@code input} is
     * what {@link #resolveParams} renders); otherwise {@code null}.
     */
    public String childWorkflow() {
        return childWorkflow;
    }

    /**
     * For a node that runs a sub-workflow, the queue its child is submitted to; {@code null} for
     * the parent's queue (and for every other node).
     */
    public String childQueue() {
        return childQueue;
    }

    public String id() {
        return id;
    }

    public String action() {
        return action;
    }

    /** Direct dependencies, in the order written. */
    public List<String> dependsOn() {
        return dependsOn;
    }

    /** The node's {@code map}, or {@code null} when it runs its action once. */
    public MapSpec map() {
        return map;
    }

    public RetryPolicy retry() {
        return retry;
    }

    /** The node's own timeout, or {@code null} to use the runtime's default. */
    public Duration timeout() {
        return timeout;
    }

    /** Every node this one depends on, directly or not. */
    public Set<String> upstream() {
        return upstream;
    }

    void upstream(Set<String> ids) {
        this.upstream = Set.copyOf(ids);
    }

    /** The {@code when} source, or {@code null} when the node has no condition. */
    public String condition() {
        return when == null ? null : when.source();
    }

    /** Evaluates {@code when}; true without one. */
    public boolean shouldRun(Bindings bindings) throws EvaluationException {
        if (when == null) {
            return true;
        }
        Object v = when.evaluate(bindings.variables(upstream), new Evaluation(limits));
        if (v instanceof Boolean b) {
            return b;
        }
        throw new EvaluationException(when.source(), "condition must be true or false, got " + described(v));
    }

    /**
     * The names of the secrets this node's params read ({@code secrets.NAME}), sorted; empty for
     * most nodes. They are resolved just before the node runs and given to {@link #resolveParams}.
     */
    public Set<String> secrets() {
        return secrets;
    }

    /** Renders the parameters with their expressions evaluated; for a node that reads no secrets. */
    public JsonNode resolveParams(Bindings bindings) throws EvaluationException {
        return resolveParams(bindings, Map.of());
    }

    /**
     * Renders the parameters with their expressions evaluated, {@code secrets} holding the value of
     * each name in {@link #secrets()}. The result holds those values: it goes to the action and is
     * never stored.
     */
    public JsonNode resolveParams(Bindings bindings, Map<String, String> secretValues) throws EvaluationException {
        return Template.render(params, () -> bindings.variables(upstream, secretValues), new Evaluation(limits));
    }

    /** Evaluates a map node's {@code items} (see {@link MapSpec#items}). */
    public List<?> items(Bindings bindings) throws EvaluationException {
        return map.items(bindings, upstream);
    }

    /**
     * Renders a map node's parameters for one element of its items, {@code secretValues} as in
     * {@link #resolveParams(Bindings, Map)}.
     */
    public JsonNode resolveItemParams(Bindings bindings, Map<String, String> secretValues, Object item, int index)
            throws EvaluationException {
        return Template.render(
                params, () -> bindings.itemVariables(upstream, secretValues, item, index), new Evaluation(limits));
    }

    @Override
    public String toString() {
        return "node '" + id + "' (" + action + ")";
    }

    /** A condition's value in the workflow's words: {@code the number 3}, {@code the text "yes"}. */
    private static String described(Object v) {
        if (v == null || v.getClass().getSimpleName().equals("NullValue")) {
            return "null";
        }
        if (v instanceof Number) {
            return "the number " + v;
        }
        if (v instanceof CharSequence t) {
            return "the text \"" + t + "\"";
        }
        if (v instanceof java.util.Map) {
            return "an object";
        }
        if (v instanceof java.util.List) {
            return "a list";
        }
        return "a value of another kind (" + v + ")";
    }
}
