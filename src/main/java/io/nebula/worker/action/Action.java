package io.nebula.worker.action;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The extension point: one kind of step a workflow node can run, named by {@link #name()} in the
 * node's {@code action} field.
 *
 * <p>Implementations must be thread-safe: one instance serves every node and every execution at
 * once. They are found through {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/io.nebula.worker.action.Action} inside a jar on the class path or in the
 * plugins folder) or registered in code with {@link ActionRegistry.Builder#register(Action)}.
 *
 * <p>Contract of {@link #execute}: it receives parameters whose expressions are already resolved,
 * returns a JSON value (never Java {@code null}; use a {@code NullNode}), and signals failure with
 * an {@link ActionException} whose kind decides whether the node is retried. It should stop
 * promptly when its thread is interrupted or {@link ActionContext#isCancelled()} turns true, and
 * pass {@link ActionContext#idempotencyKey()} to external systems that can deduplicate: a node can
 * run more than once when a worker dies mid-node.
 */
public interface Action {
    /** The name used in workflow files, e.g. {@code http.request}; unique in a registry. */
    String name();

    /**
     * Static checks of a node's parameters at load time. Values that are expressions (strings
     * containing {@code ${{}) are only known at run time and must be accepted here; {@link
     * ParamReader} does that. Each message should start with the parameter name and a colon, so
     * the problem can point at that parameter.
     *
     * @return problems, empty when the parameters are acceptable
     */
    default List<String> validate(JsonNode params) {
        return List.of();
    }

    /**
     * Runs the action once. Called on a virtual thread of its own, where it may block, unless
     * {@link #nonBlocking()} says it never does.
     */
    JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException, InterruptedException;

    /**
     * Whether {@link #execute} always returns promptly without blocking: no I/O, no sleeping, no
     * waiting for other threads, only computation on its parameters. The runtime then calls it on
     * the execution's own thread instead of starting threads for it, which is much cheaper for
     * small steps; in exchange nothing enforces its timeout and nothing can interrupt it while it
     * runs. A node retry that needs a backoff wait still waits on a thread of its own. The default
     * is {@code false}; say {@code true} only when every call is pure and quick.
     */
    default boolean nonBlocking() {
        return false;
    }
}
