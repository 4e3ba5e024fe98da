package io.nebula.worker.action;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actions a worker can run, by name. Built once at start and then read-only, so lookups need
 * no locking.
 *
 * <p>Sources, in the order a {@link Builder} is usually fed: built-ins, {@link ServiceLoader}
 * implementations on the class path, jars in a plugins folder, and actions registered in code by
 * an embedding application. Two actions with the same name are an error that names both classes:
 * silently letting one win would make behaviour depend on class-path order.
 */
public final class ActionRegistry {
    private static final Logger log = LoggerFactory.getLogger(ActionRegistry.class);

    private final Map<String, Action> actions;
    private final boolean undeclaredPlugins;
    private final ClassLoader pluginLoader;

    private ActionRegistry(Map<String, Action> actions, boolean undeclaredPlugins, ClassLoader pluginLoader) {
        this.actions = Map.copyOf(actions);
        this.undeclaredPlugins = undeclaredPlugins;
        this.pluginLoader = pluginLoader;
    }

    /**
     * The class loader of the plugin jars loaded by {@link Builder#loadPlugins}, for finding other
     * extensions in them (secret providers); empty when none were loaded.
     */
    public Optional<ClassLoader> pluginLoader() {
        return Optional.ofNullable(pluginLoader);
    }

    /**
     * What to add to an "unknown action" message: set when plugin jars were only read for their
     * declared names and one declared none, so its actions cannot be known here.
     */
    public Optional<String> unknownActionHint() {
        return undeclaredPlugins
                ? Optional.of("plugin jars are not run by this command: a plugin's actions are known here only when"
                        + " its jar lists them in the manifest attribute Nebula-Actions")
                : Optional.empty();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<Action> find(String name) {
        return Optional.ofNullable(actions.get(name));
    }

    /** Sorted action names, for error messages that list what is known. */
    public List<String> names() {
        return actions.keySet().stream().sorted().toList();
    }

    /** Collects actions and rejects duplicate names. Not thread-safe; use from one thread. */
    public static final class Builder {
        private final Map<String, Action> actions = new LinkedHashMap<>();
        private boolean undeclared;
        private ClassLoader pluginLoader;

        private Builder() {}

        /**
         * Adds one action.
         *
         * @throws IllegalArgumentException when another action already has that name
         */
        public Builder register(Action action) {
            String name = action.name();
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("action " + action.getClass().getName() + " has no name");
            }
            Action previous = actions.putIfAbsent(name, action);
            if (previous != null) {
                throw new IllegalArgumentException("duplicate action name '" + name + "': "
                        + previous.getClass().getName() + " and "
                        + action.getClass().getName());
            }
            return this;
        }

        public Builder registerAll(Collection<? extends Action> list) {
            list.forEach(this::register);
            return this;
        }

        /** Adds every {@link Action} that {@link ServiceLoader} finds through {@code loader}. */
        public Builder loadServices(ClassLoader loader) {
            try {
                for (Action a : ServiceLoader.load(Action.class, loader)) {
                    register(a);
                }
            } catch (ServiceConfigurationError e) {
                throw new IllegalArgumentException("cannot load actions: " + e.getMessage(), e);
            }
            return this;
        }

        /**
         * Loads actions from every {@code *.jar} directly in {@code dir} with {@link ServiceLoader}.
         * The folder and every jar must be trusted ({@link PluginJars#checkTrusted}); each jar loaded
         * is logged with its SHA-256 and actions. The jars get one class loader whose parent is this
         * class's loader, so they see the SPI but actions already on the class path are not found
         * twice.
         *
         * @throws IllegalArgumentException when the folder is missing or a file is not trusted
         */
        public Builder loadPlugins(Path dir) {
            List<Path> files = PluginJars.list(dir);
            PluginJars.checkTrusted(dir);
            List<URL> jars = new ArrayList<>();
            for (Path p : files) {
                PluginJars.checkTrusted(p);
                try {
                    jars.add(p.toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new IllegalArgumentException("bad plugin path " + p, e);
                }
            }
            if (jars.isEmpty()) {
                return this;
            }
            URLClassLoader loader = new URLClassLoader(
                    "nebula-plugins", jars.toArray(URL[]::new), ActionRegistry.class.getClassLoader());
            pluginLoader = loader;
            // Only providers whose class came from the plugin jars: the parent's would repeat.
            Map<String, List<String>> byJar = new LinkedHashMap<>();
            try {
                ServiceLoader.load(Action.class, loader).stream()
                        .filter(p -> p.type().getClassLoader() == loader)
                        .forEach(p -> {
                            Action a = p.get();
                            register(a);
                            var source = p.type().getProtectionDomain().getCodeSource();
                            String jar =
                                    source == null ? "?" : source.getLocation().toString();
                            byJar.computeIfAbsent(jar, j -> new ArrayList<>()).add(a.name());
                        });
            } catch (ServiceConfigurationError e) {
                throw new IllegalArgumentException("cannot load plugin actions from " + dir + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < files.size(); i++) {
                Path p = files.get(i);
                List<String> names = byJar.getOrDefault(jars.get(i).toString(), List.of());
                log.info("plugin jar loaded file={} sha256={} actions={}", p, PluginJars.sha256(p), names);
                // submit and workflows validate know a plugin's actions only by its manifest.
                List<String> declared = PluginJars.declaredActions(p);
                if (!new java.util.HashSet<>(declared).equals(new java.util.HashSet<>(names))) {
                    log.warn(
                            "plugin jar {} declares actions {} in its manifest (Nebula-Actions) but provides {};"
                                    + " submit and workflows validate go by the manifest",
                            p,
                            declared,
                            names);
                }
            }
            return this;
        }

        /**
         * Makes the actions the jars in {@code dir} declare in their manifests ({@code
         * Nebula-Actions}) known by name, without loading or running any of their code: for
         * commands that only check definitions ({@code submit}, {@code workflows validate}). Such an
         * action accepts any params here; the worker that loads the jar checks them.
         */
        public Builder declarePlugins(Path dir) {
            for (Path jar : PluginJars.list(dir)) {
                List<String> names = PluginJars.declaredActions(jar);
                if (names.isEmpty()) {
                    undeclared = true;
                }
                for (String name : names) {
                    register(new DeclaredAction(name, jar.getFileName().toString()));
                }
            }
            return this;
        }

        public ActionRegistry build() {
            return new ActionRegistry(actions, undeclared, pluginLoader);
        }
    }
}
