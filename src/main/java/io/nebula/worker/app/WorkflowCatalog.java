package io.nebula.worker.app;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.config.ConfigException;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.runtime.RuntimeOptions;
import io.nebula.worker.secret.EnvSecrets;
import io.nebula.worker.secret.FileSecrets;
import io.nebula.worker.secret.SecretProvider;
import io.nebula.worker.secret.SecretResolver;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.Workflows;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;

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
            try {
                registry.loadPlugins(Path.of(config.runtime().pluginsDir()));
            } catch (IllegalArgumentException e) {
                // A missing folder or an untrusted jar: the configuration names what cannot be used.
                throw new ConfigException("runtime.plugins_dir", "runtime.plugins_dir: " + e.getMessage(), e);
            }
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
                .withCacheBytes(l.definitionCacheBytes())
                .withMaxValues(l.executionValues());
    }

    /** How the runtime runs nodes under {@code config}: {@code [runtime]} and the execution budgets. */
    public static RuntimeOptions runtimeOptions(WorkerConfig config) {
        return RuntimeOptions.defaults()
                .withMaxParallelNodes(config.runtime().maxParallelNodes())
                .withExecutionBudgets(
                        config.limits().executionOutputBytes(), config.limits().errorBytes())
                .withMaxExecutionValues(config.limits().executionValues())
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
                        new HttpActionOptions(
                                h.allowPrivateNetworks(),
                                h.maxResponseBytes(),
                                h.timeout(),
                                5,
                                config.limits().executionValues()),
                        config.runtime().inlineDelayMax()))
                .loadServices(WorkflowCatalog.class.getClassLoader());
    }

    /**
     * The secret providers {@code config} implies, in the order they are asked: environment
     * variables with {@code secrets.env_prefix} (unless it is empty), the files of {@code
     * secrets.dir} (when set), then every {@link SecretProvider} found by {@code ServiceLoader} on
     * the class path and in the plugin jars {@code actions} loaded; values kept for {@code
     * secrets.cache_seconds}.
     *
     * @param env how an environment variable is read ({@code System::getenv} in a worker)
     * @throws IllegalArgumentException when a provider cannot be loaded
     */
    public static SecretResolver secrets(WorkerConfig config, ActionRegistry actions, Function<String, String> env) {
        WorkerConfig.Secrets s = config.secrets();
        List<SecretProvider> providers = new ArrayList<>();
        if (!s.envPrefix().isEmpty()) {
            providers.add(new EnvSecrets(s.envPrefix(), env));
        }
        if (s.dir() != null) {
            providers.add(new FileSecrets(Path.of(s.dir())));
        }
        try {
            ServiceLoader.load(SecretProvider.class, WorkflowCatalog.class.getClassLoader())
                    .forEach(providers::add);
            actions.pluginLoader()
                    .ifPresent(loader -> ServiceLoader.load(SecretProvider.class, loader).stream()
                            .filter(p -> p.type().getClassLoader() == loader)
                            .forEach(p -> providers.add(p.get())));
        } catch (ServiceConfigurationError e) {
            throw new IllegalArgumentException("cannot load secret providers: " + e.getMessage(), e);
        }
        return new SecretResolver(providers, s.cacheFor());
    }

    /** The workflow loader for commands that check definitions: plugin code is not run. */
    public static Workflows of(WorkerConfig config) {
        return workflows(config, declaredActions(config));
    }
}
