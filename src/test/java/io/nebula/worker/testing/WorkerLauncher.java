package io.nebula.worker.testing;

import io.nebula.worker.launch.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Starts real worker processes ({@code io.nebula.worker.cli.Main} without a subcommand) from the
 * test class path, each with its own TOML file and environment, logging JSON to a file under
 * {@code runDir}. It remembers every process it started, and {@link #close()} kills the ones still
 * running: a test never touches a process it did not start.
 *
 * <p>Child JVMs are {@link ChildJvm#small()} (this suite shares two cores with everything else)
 * and inherit none of the test's configuration variables ({@link ChildJvm#SCRUBBED}).
 */
public final class WorkerLauncher implements AutoCloseable {
    private final Path runDir;
    private final ChildJvm jvm = ChildJvm.small();
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
        command.addAll(jvm.workerCommand(config, List.of("--worker-id", name)));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(runDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> childEnv = pb.environment();
        ChildJvm.scrub(childEnv);
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

    /** Kills every process this launcher started that still runs (resuming paused ones first). */
    @Override
    public void close() {
        for (WorkerProcess w : started) {
            w.destroyQuietly();
        }
    }
}
