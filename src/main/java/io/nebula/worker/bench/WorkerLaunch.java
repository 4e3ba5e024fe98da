package io.nebula.worker.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the benchmark starts a real worker process: the java binary, JVM options, class path and
 * main class. By default it is this JVM's binary and class path (the shaded jar when run through
 * {@code bin/nebula-worker}) with the launcher's defaults: a 256 MB heap with a 32 MB young
 * generation, the serial collector,
 * exit on out-of-memory, and an AppCDS archive that the first process writes and later ones map.
 *
 * @param java the java binary
 * @param jvmOptions options before the class path
 * @param classPath the class path holding the worker
 * @param mainClass the command-line entry point ({@code io.nebula.worker.cli.Main})
 */
public record WorkerLaunch(Path java, List<String> jvmOptions, String classPath, String mainClass) {

    public WorkerLaunch {
        jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * This JVM's binary and class path with the launcher's default options; {@code extra} options
     * are appended, and a heap size, collector or CDS option among them replaces ours.
     *
     * @param cdsArchive where the class data sharing archive lives (written by the first process)
     */
    public static WorkerLaunch current(String mainClass, List<String> extra, Path cdsArchive) {
        Path java = ProcessHandle.current()
                .info()
                .command()
                .map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
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
        opts.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 24) {
            opts.add("--sun-misc-unsafe-memory-access=allow");
        }
        if (!joined.contains("SharedArchiveFile") && !joined.contains("-Xshare") && !joined.contains("AOTCache")) {
            opts.add("-XX:SharedArchiveFile=" + cdsArchive);
            opts.add("-XX:+AutoCreateSharedArchive");
            opts.add("-Xlog:cds=off");
            opts.add("-Xlog:cds+dynamic=off");
        }
        opts.addAll(extra);
        return new WorkerLaunch(java, opts, System.getProperty("java.class.path"), mainClass);
    }

    /** The command line that runs a worker with the given configuration file. */
    public List<String> command(Path configFile) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.add("--config");
        cmd.add(configFile.toString());
        return cmd;
    }
}
