package io.nebula.worker.pool;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.Workflows;
import java.nio.file.Path;
import java.util.List;

/**
 * The actions and workflow loader a configuration implies: the built-in actions, those found by
 * {@code ServiceLoader} on the class path, those in {@code runtime.plugins_dir}, any registered in
 * code, and the configured node limit and {@code [limits]} budgets. The worker runs with exactly this, and {@code submit} and
 * {@code workflows validate} check files against it, so a file that validates does not fail later
 * on an unknown action.
 */
public final class WorkflowCatalog {
    private WorkflowCatalog() {}

    /** The action registry for {@code config}, plus {@code extra} actions (duplicates are errors). */
    public static ActionRegistry actions(WorkerConfig config, List<Action> extra) {
        WorkerConfig.Http h = config.http();
        ActionRegistry.Builder registry = ActionRegistry.builder()
                .registerAll(BuiltinActions.create(
                        new HttpActionOptions(h.allowPrivateNetworks(), h.maxResponseBytes(), h.timeout(), 5),
                        config.runtime().inlineDelayMax()))
                .loadServices(WorkflowCatalog.class.getClassLoader());
        if (config.runtime().pluginsDir() != null) {
            registry.loadPlugins(Path.of(config.runtime().pluginsDir()));
        }
        extra.forEach(registry::register);
        return registry.build();
    }

    /** The workflow loader over {@code actions}, with the configured limits. */
    public static Workflows workflows(WorkerConfig config, ActionRegistry actions) {
        return new Workflows(
                actions, Limits.of(config.limits(), config.runtime().maxNodes()));
    }

    /** The workflow loader for {@code config} with no extra actions. */
    public static Workflows of(WorkerConfig config) {
        return workflows(config, actions(config, List.of()));
    }
}
