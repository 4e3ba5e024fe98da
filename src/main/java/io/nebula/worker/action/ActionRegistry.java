package io.nebula.worker.action;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

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
    private final Map<String, Action> actions;

    private ActionRegistry(Map<String, Action> actions) {
        this.actions = Map.copyOf(actions);
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
         * The jars get one class loader whose parent is this class's loader, so they see the SPI
         * but actions already on the class path are not found twice.
         */
        public Builder loadPlugins(Path dir) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("plugins folder does not exist: " + dir);
            }
            List<URL> jars = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                        .sorted()
                        .toList()) {
                    jars.add(p.toUri().toURL());
                }
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("bad plugin path in " + dir, e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list plugins folder " + dir, e);
            }
            if (jars.isEmpty()) {
                return this;
            }
            URLClassLoader loader = new URLClassLoader(
                    "nebula-plugins", jars.toArray(URL[]::new), ActionRegistry.class.getClassLoader());
            // Only providers whose class came from the plugin jars: the parent's would repeat.
            try {
                ServiceLoader.load(Action.class, loader).stream()
                        .filter(p -> p.type().getClassLoader() == loader)
                        .forEach(p -> register(p.get()));
            } catch (ServiceConfigurationError e) {
                throw new IllegalArgumentException("cannot load plugin actions from " + dir + ": " + e.getMessage(), e);
            }
            return this;
        }

        public ActionRegistry build() {
            return new ActionRegistry(actions);
        }
    }
}
