package io.nebula.worker.cli;

import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.Workflows;
import java.nio.file.Path;

/**
 * The workflow loader a configuration implies, without a store or a worker: the built-in actions,
 * those on the class path and those in {@code runtime.plugins_dir}, with the configured node limit.
 * {@code workflows validate} and {@code submit} check files against exactly what a worker with the
 * same configuration would run, so a file that validates here does not fail on an unknown action
 * there.
 */
final class WorkflowCatalog {
    private WorkflowCatalog() {}

    static Workflows of(WorkerConfig config) {
        WorkerConfig.Http h = config.http();
        ActionRegistry.Builder registry = ActionRegistry.builder()
                .registerAll(BuiltinActions.create(
                        new HttpActionOptions(h.allowPrivateNetworks(), h.maxResponseBytes(), h.timeout(), 5),
                        config.runtime().inlineDelayMax()))
                .loadServices(WorkflowCatalog.class.getClassLoader());
        if (config.runtime().pluginsDir() != null) {
            registry.loadPlugins(Path.of(config.runtime().pluginsDir()));
        }
        return new Workflows(
                registry.build(),
                Limits.defaults().withMaxNodes(config.runtime().maxNodes()));
    }
}
