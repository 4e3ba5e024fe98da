package io.nebula.worker.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Starts real worker processes ({@code io.nebula.worker.cli.Main} without a subcommand) from the
 * test class path, each with its own TOML file and environment, logging JSON to a file under
 * {@code runDir}. It remembers every process it started, and {@link #close()} kills the ones still
 * running: a test never touches a process it did not start.
 *
 * <p>Child JVMs are small on purpose (this suite shares two cores with everything else): a 128 MB
 * heap, the serial collector and C1 only. Under Surefire {@code java.class.path} may be a
 * manifest-only booter jar; the real class path then comes from {@code surefire.test.class.path}
 * or, failing that, from the booter jar's {@code Class-Path} entry.
 */
public final class WorkerLauncher implements AutoCloseable {
    /** Configuration variables a child must not inherit from the test's environment. */
    private static final List<String> CONFIG_VARIABLES = List.of(
            "WORKER_CONCURRENCY",
            "WORKER_ID",
            "QUEUE_POLL_INTERVAL_MS",
            "WORKER_SHUTDOWN_TIMEOUT_SECONDS",
            "WORKER_QUEUES",
            "DATABASE_URL",
            "HEALTH_PORT",
            "ENABLE_METRICS",
            "NEBULA_LOG",
            "RUST_LOG",
            "NEBULA_LOG_FORMAT",
            "NEBULA_CONFIG");

    private final Path runDir;
    private final String classPath;
    private final Map<String, String> baseEnv;
    private final List<WorkerProcess> started = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> generations = new HashMap<>();
    private final Function<String, List<String>> commandPrefix;

    /**
     * @param runDir where configuration files and logs go (created if missing)
     * @param baseEnv variables every child gets (the database URL, the side-effect sink)
     */
    public WorkerLauncher(Path runDir, Map<String, String> baseEnv) {
        this(runDir, baseEnv, name -> List.of());
    }

    /**
     * As {@link #WorkerLauncher(Path, Map)}, each worker's command preceded by {@code
     * commandPrefix.apply(name)} (for example {@code ip netns exec <namespace>}, which replaces
     * itself with the JVM, so the process's pid is the JVM's).
     */
    public WorkerLauncher(Path runDir, Map<String, String> baseEnv, Function<String, List<String>> commandPrefix) {
        this.commandPrefix = commandPrefix;
        this.runDir = runDir;
        this.baseEnv = Map.copyOf(baseEnv);
        this.classPath = testClassPath();
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh folder under {@code target/process-tests} for one test. */
    public static Path runDir(String suite, String test) {
        String base = System.getProperty("nebula.project.dir", ".");
        return Path.of(base, "target", "process-tests", suite, test + "-" + System.currentTimeMillis());
    }

    public Path runDir() {
        return runDir;
    }

    /**
     * Starts a worker named {@code name} (its pool id, {@code --worker-id}); a name started before
     * gets a new log file, so the logs of every generation are kept.
     */
    public synchronized WorkerProcess start(String name, WorkerSettings settings, Map<String, String> env) {
        int generation = generations.merge(name, 1, Integer::sum);
        String stem = name + "." + generation;
        Path config = runDir.resolve(stem + ".toml");
        Path log = runDir.resolve(stem + ".log");
        try {
            Files.writeString(config, settings.toToml());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(commandPrefix.apply(name));
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.add("-cp");
        command.add(classPath);
        command.add("io.nebula.worker.cli.Main");
        command.add("--config");
        command.add(config.toString());
        command.add("--worker-id");
        command.add(name);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(runDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> childEnv = pb.environment();
        CONFIG_VARIABLES.forEach(childEnv::remove);
        childEnv.putAll(baseEnv);
        childEnv.putAll(env);
        childEnv.put("NEBULA_LOG_FORMAT", "json");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start worker " + name, e);
        }
        WorkerProcess w = new WorkerProcess(name, generation, p, log, settings);
        started.add(w);
        return w;
    }

    public WorkerProcess start(String name, WorkerSettings settings) {
        return start(name, settings, Map.of());
    }

    /** Every process this launcher started, in start order (dead ones included). */
    public List<WorkerProcess> started() {
        return List.copyOf(started);
    }

    static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>(List.of(
                "-Xmx128m",
                "-Xss512k",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:+ExitOnOutOfMemoryError",
                "-XX:-UsePerfData",
                "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 24) {
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        return flags;
    }

    /** The class path a child JVM needs to see production and test classes (and test actions). */
    static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        String[] parts = cp.split(File.pathSeparator);
        if (parts.length == 1 && parts[0].endsWith(".jar")) {
            String fromManifest = manifestClassPath(Path.of(parts[0]));
            if (fromManifest != null) {
                return fromManifest;
            }
        }
        return cp;
    }

    private static String manifestClassPath(Path jar) {
        try (JarFile f = new JarFile(jar.toFile())) {
            Manifest m = f.getManifest();
            String entry = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (entry == null || entry.isBlank()) {
                return null;
            }
            return String.join(
                    File.pathSeparator,
                    Arrays.stream(entry.trim().split("\\s+"))
                            .map(u -> Path.of(URI.create(u)).toString())
                            .toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills every process this launcher started that still runs (resuming paused ones first). */
    @Override
    public void close() {
        for (WorkerProcess w : started) {
            w.destroyQuietly();
        }
    }
}
