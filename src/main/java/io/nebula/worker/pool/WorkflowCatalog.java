package io.nebula.worker.pool;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.runtime.RuntimeOptions;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.Workflows;
import java.nio.file.Path;
import java.util.List;

/**
 * The actions and workflow loader a configuration implies: the built-in actions, those found by
 * {@code ServiceLoader} on the class path, those in {@code runtime.plugins_dir} (loaded by the
 * worker; for commands that check definitions, only declared by name), any registered in code,
 * and the configured node limit and {@code [limits]} budgets. The worker runs with exactly this, and {@code submit} and
 * {@code workflows validate} check files against it, so a file that validates does not fail later
 * on an unknown action.
 */
public final class WorkflowCatalog {
    private WorkflowCatalog() {}

    /** The action registry for {@code config}, plus {@code extra} actions (duplicates are errors). */
    public static ActionRegistry actions(WorkerConfig config, List<Action> extra) {
        ActionRegistry.Builder registry = installed(config);
        if (config.runtime().pluginsDir() != null) {
            registry.loadPlugins(Path.of(config.runtime().pluginsDir()));
        }
        extra.forEach(registry::register);
        return registry.build();
    }

    /** The workflow loader over {@code actions}, with the configured limits. */
    public static Workflows workflows(WorkerConfig config, ActionRegistry actions) {
        return new Workflows(actions, limits(config));
    }

    /** The workflow limits {@code config} sets: {@code runtime.max_nodes} and the {@code [limits]} budgets. */
    public static Limits limits(WorkerConfig config) {
        WorkerConfig.Limits l = config.limits();
        return Limits.defaults()
                .withMaxNodes(config.runtime().maxNodes())
                .withEvaluation(l.expressionBytes(), l.expressionTimeout())
                .withMaxRegexSize(l.regexProgramSize())
                .withCompile(l.expressionsPerDefinition(), l.compileTimeout())
                .withCacheBytes(l.definitionCacheBytes());
    }

    /** How the runtime runs nodes under {@code config}: {@code [runtime]} and the execution budgets. */
    public static RuntimeOptions runtimeOptions(WorkerConfig config) {
        return RuntimeOptions.defaults()
                .withMaxParallelNodes(config.runtime().maxParallelNodes())
                .withExecutionBudgets(
                        config.limits().executionOutputBytes(), config.limits().errorBytes())
                .withMaxMapItems(config.limits().mapItems());
    }

    /**
     * The actions a command that only checks definitions needs: as {@link #actions}, except that
     * the jars of {@code runtime.plugins_dir} are read for the action names they declare and none
     * of their code is run ({@code submit} and {@code workflows validate} may run where the worker's
     * plugins should not).
     */
    public static ActionRegistry declaredActions(WorkerConfig config) {
        ActionRegistry.Builder registry = installed(config);
        if (config.runtime().pluginsDir() != null) {
            registry.declarePlugins(Path.of(config.runtime().pluginsDir()));
        }
        return registry.build();
    }

    /** The built-in actions and those on the class path: part of the installation itself. */
    private static ActionRegistry.Builder installed(WorkerConfig config) {
        WorkerConfig.Http h = config.http();
        return ActionRegistry.builder()
                .registerAll(BuiltinActions.create(
                        new HttpActionOptions(h.allowPrivateNetworks(), h.maxResponseBytes(), h.timeout(), 5),
                        config.runtime().inlineDelayMax()))
                .loadServices(WorkflowCatalog.class.getClassLoader());
    }

    /** The workflow loader for commands that check definitions: plugin code is not run. */
    public static Workflows of(WorkerConfig config) {
        return workflows(config, declaredActions(config));
    }
}
