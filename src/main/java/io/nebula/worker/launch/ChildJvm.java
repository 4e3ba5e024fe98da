package io.nebula.worker.launch;

import io.nebula.worker.config.ConfigLoader;
import io.nebula.worker.config.Setting;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * How a child JVM is started from this one: the java binary, JVM options and class path. The
 * benchmark starts its workers with {@link #sized}, process tests start theirs with {@link
 * #small}; both run {@link #WORKER_MAIN} through {@link #worker}, whose environment has every
 * configuration variable removed ({@link #SCRUBBED}) so the child takes its settings from its file
 * and from what the caller puts back, never from the parent's shell.
 *
 * <p>The class path is this JVM's. Under Surefire {@code java.class.path} may be a manifest-only
 * booter jar; the real class path then comes from {@code surefire.test.class.path} or, failing
 * that, from the booter jar's {@code Class-Path} entry.
 *
 * @param java the java binary
 * @param jvmOptions options before the class path
 * @param classPath the class path the child runs with
 */
public record ChildJvm(Path java, List<String> jvmOptions, String classPath) {

    /** The command-line entry point of the worker. */
    public static final String WORKER_MAIN = "io.nebula.worker.cli.Main";

    /**
     * The environment variables a child must not inherit: the variable of every {@link Setting},
     * the configuration file's ({@code NEBULA_CONFIG}), the log filter's fallback ({@code
     * RUST_LOG}) and {@code JAVA_TOOL_OPTIONS} (which would add options and a banner to the child).
     */
    public static final Set<String> SCRUBBED = scrubbed();

    public ChildJvm {
        jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * A small child for tests that share two cores with everything else: a 128 MB heap, 512 KB
     * thread stacks, the serial collector, C1 only, no perf data file.
     */
    public static ChildJvm small() {
        List<String> opts = new ArrayList<>(List.of(
                "-Xmx128m",
                "-Xss512k",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:+ExitOnOutOfMemoryError",
                "-XX:-UsePerfData"));
        opts.addAll(nativeAccess());
        return new ChildJvm(currentJava(), opts, currentClassPath());
    }

    /**
     * A worker sized as the benchmark runs it: a 256 MB heap with a 32 MB young generation, the
     * serial collector, exit on out-of-memory, and an AppCDS archive that the first process writes
     * and later ones map. {@code extra} options are appended, and a heap size, collector, class
     * data sharing or AOT option among them replaces ours (the JVM refuses some pairs of the latter).
     *
     * @param cdsArchive where the class data sharing archive lives (written by the first process)
     */
    public static ChildJvm sized(List<String> extra, Path cdsArchive) {
        String joined = String.join(" ", extra);
        List<String> opts = new ArrayList<>();
        if (!joined.contains("-Xmx") && !joined.contains("MaxRAMPercentage")) {
            opts.add("-Xmx256m");
            if (!joined.contains("-Xmn") && !joined.contains("NewSize")) {
                opts.add("-Xmn32m");
            }
        }
        if (!joined.matches(".*-XX:\\+Use[A-Za-z]*GC.*")) {
            opts.add("-XX:+UseSerialGC");
        }
        opts.add("-XX:+ExitOnOutOfMemoryError");
        opts.addAll(nativeAccess());
        if (!joined.contains("Archive") && !joined.contains("-Xshare") && !joined.contains("AOT")) {
            opts.add("-XX:SharedArchiveFile=" + cdsArchive);
            opts.add("-XX:+AutoCreateSharedArchive");
            opts.add("-Xlog:cds=off");
            opts.add("-Xlog:cds+dynamic=off");
        }
        opts.addAll(extra);
        return new ChildJvm(currentJava(), opts, currentClassPath());
    }

    private static List<String> nativeAccess() {
        List<String> opts = new ArrayList<>();
        opts.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 24) {
            opts.add("--sun-misc-unsafe-memory-access=allow");
        }
        return opts;
    }

    /** The command line that runs {@code mainClass} with {@code args}. */
    public List<String> command(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** The command line that runs a worker with the given configuration file and further arguments. */
    public List<String> workerCommand(Path configFile, List<String> args) {
        List<String> all = new ArrayList<>(List.of("--config", configFile.toString()));
        all.addAll(args);
        return command(WORKER_MAIN, all);
    }

    /**
     * A process builder for a worker ({@link #workerCommand}) whose environment is this one's
     * without the {@link #SCRUBBED} variables.
     */
    public ProcessBuilder worker(Path configFile, List<String> args) {
        ProcessBuilder pb = new ProcessBuilder(workerCommand(configFile, args));
        scrub(pb.environment());
        return pb;
    }

    /** Removes every {@link #SCRUBBED} variable from a child's environment. */
    public static void scrub(Map<String, String> environment) {
        environment.keySet().removeAll(SCRUBBED);
    }

    private static Set<String> scrubbed() {
        Set<String> names = new LinkedHashSet<>();
        for (Setting s : Setting.values()) {
            s.env().ifPresent(names::add);
        }
        names.add(ConfigLoader.CONFIG_ENV);
        names.add(Setting.LOG_FILTER_FALLBACK_ENV);
        names.add("JAVA_TOOL_OPTIONS");
        return Set.copyOf(names);
    }

    /** This JVM's java binary. */
    public static Path currentJava() {
        return ProcessHandle.current()
                .info()
                .command()
                .map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
    }

    /** This JVM's real class path, also under Surefire. */
    public static String currentClassPath() {
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
            List<URI> uris =
                    Arrays.stream(entry.trim().split("\\s+")).map(URI::create).toList();
            if (!uris.stream().allMatch(URI::isAbsolute)) {
                return null; // relative entries are resolved by the JVM against the jar itself
            }
            return String.join(
                    File.pathSeparator,
                    uris.stream().map(u -> Path.of(u).toString()).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
