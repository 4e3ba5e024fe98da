package io.nebula.worker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import io.nebula.worker.cli.Main;
import io.nebula.worker.testing.StandInJava;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code bin/nebula-worker} from a copy of the project folder whose JDK is a script that
 * writes down the options it was started with, so the launcher's choices (here: which runs write
 * the class data sharing archive) are checked without starting a JVM or building the jar.
 */
class LauncherScriptTest {
    private static final Path LAUNCHER =
            Path.of(System.getProperty("nebula.project.dir", ".")).resolve("bin/nebula-worker");

    @TempDir
    Path dir;

    private Path jar;
    private Path archive;
    private Path jdk;
    private StandInJava java;

    @BeforeEach
    void fakeProjectAndJdk() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("project/bin"));
        Files.copy(LAUNCHER, bin.resolve("nebula-worker"));
        executable(bin.resolve("nebula-worker"));
        Path target = Files.createDirectories(dir.resolve("project/target"));
        jar = Files.writeString(target.resolve("nebula-worker.jar"), "not a jar");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        archive = target.resolve("nebula-worker.jsa");

        jdk = dir.resolve("jdk");
        java = StandInJava.in(jdk);
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
    }

    @Test
    void theWorkerRunWritesTheArchive() throws Exception {
        assertThat(javaOptions()).contains("-XX:SharedArchiveFile=" + archive, "-XX:+AutoCreateSharedArchive");
        assertThat(javaOptions("-c", "8", "-vv", "--log-format", "json", "-w", "host-1"))
                .contains("-XX:SharedArchiveFile=" + archive, "-XX:+AutoCreateSharedArchive");
        assertThat(javaOptions("--verbose", "-vvvv")).contains("-XX:+AutoCreateSharedArchive");
    }

    /**
     * The launcher writes the archive for exactly the arguments with which the command line starts
     * the worker: the same arguments are given to both, and the worker's start is recorded. A run
     * sets this whole JVM's logging (-v included), so the test's own configuration is put back at
     * the end.
     */
    @Test
    void theLauncherTakesForAWorkerRunWhatTheCommandLineRunsAsTheWorker() throws Exception {
        Path emptyConfig = Files.writeString(dir.resolve("empty.toml"), "");
        List<List<String>> cases = new ArrayList<>(List.of(
                List.of(),
                List.of("-c", "8"),
                List.of("--concurrency", "8", "-p", "50"),
                List.of("--health-port", "9091", "--worker-id", "w1"),
                List.of("-w", "-c"),
                List.of("-c", "--health-port", "9091"),
                List.of("-w", "--version"),
                List.of("-h", "--help"),
                List.of("-w", "--"),
                List.of("-h"),
                List.of("--log-format"),
                List.of("--concurency", "8"),
                List.of("-V"),
                List.of("--help"),
                List.of("--version"),
                List.of("-c", "8", "extra"),
                List.of("-c8"),
                List.of("-p50", "-wbench-1"),
                List.of("-vc", "8"),
                List.of("-vvc8", "--health-port", "9091"),
                List.of("-vw", "--help"),
                List.of("-vc"),
                List.of("-vx"),
                List.of("-help"),
                List.of("-cv"),
                List.of("-c=8"),
                List.of("-h", "x"),
                List.of("-vc", "x"),
                List.of("-c", "8", "--log-format", "json"),
                List.of("--log-format", "xml"),
                List.of("-c", "0"),
                List.of("-c", "10000", "-h", "0", "-p", "1"),
                List.of("--concurrency", "10001"),
                List.of("-h", "65536"),
                List.of("-p0"),
                List.of("-vh70000"),
                List.of("-w-x"),
                List.of("-c", "4", "-c", "8"),
                List.of("-w", "a", "--worker-id", "b"),
                List.of("--log-format", "text", "--log-format", "json"),
                List.of("-p", "50", "-p50"),
                List.of("-w", ""),
                List.of("-w", " "),
                List.of("-w", "x".repeat(201)),
                List.of("-w", "-x"),
                List.of("--worker-id", "--blue"),
                List.of("-w-c8"),
                List.of("-w--"),
                List.of("-w-v"),
                List.of("--config", ""),
                List.of("--config", dir.resolve("missing.toml").toString()),
                List.of("--config", emptyConfig.toString(), "-c", "2"),
                List.of("-vV"),
                List.of("--concurrency=8"),
                List.of("--concurrency=8", "--health-port=9091", "--poll-interval=50"),
                List.of("--worker-id=w=1", "--log-format=json"),
                List.of("-vc=8"),
                List.of("-w=w1"),
                List.of("-c="),
                List.of("--concurrency="),
                List.of("--concurrency=0"),
                List.of("--concurrency=8", "-c", "8"),
                List.of("--worker-id=--config"),
                List.of("--worker-id==x"),
                List.of("-w", "--concurrency=8"),
                List.of("-w", "--verbose=true"),
                List.of("--verbose=true"),
                List.of("--verbose=FALSE", "-c=3"),
                List.of("--verbose=yes"),
                List.of("--worker-id=submit"),
                List.of("-w=demo"),
                List.of("-wbench"),
                List.of("-vc=executions"),
                List.of("--verbose=true", "--verbose"),
                List.of("--help=x"),
                List.of("--concurency=8"),
                List.of("--log-format=xml"),
                List.of("--config=" + emptyConfig, "-c=2"),
                List.of("--config=" + dir.resolve("missing.toml"))));
        Set<String> subcommands = Main.commandLine(Map.of(), c -> 0, silent(), silent())
                .getSubcommands()
                .keySet();
        assertThat(subcommands).contains("submit", "demo", "bench");
        for (String name : subcommands) {
            cases.add(List.of("-w", name));
            cases.add(List.of("-vw", name));
            cases.add(List.of("-c", "4", "--worker-id", name));
        }
        try {
            for (List<String> args : cases) {
                String[] a = args.toArray(String[]::new);
                AtomicBoolean started = new AtomicBoolean();
                Main.run(
                        a,
                        Map.of(),
                        config -> {
                            started.set(true);
                            return 0;
                        },
                        silent(),
                        silent());
                assertThat(javaOptions(a).contains("-XX:+AutoCreateSharedArchive"))
                        .as("%s (the command line %s the worker)", args, started.get() ? "starts" : "does not start")
                        .isEqualTo(started.get());
            }
        } finally {
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            context.reset();
            new ContextInitializer(context).autoConfig();
        }
    }

    @Test
    void helpVersionAndSubcommandsNeitherWriteNorMapAMissingArchive() throws Exception {
        for (List<String> args : List.of(
                List.of("--help"),
                List.of("--version"),
                List.of("submit", "flow.yaml"),
                List.of("-v", "executions", "list"),
                List.of("demo"))) {
            assertThat(javaOptions(args.toArray(String[]::new)))
                    .as("%s", args)
                    .noneMatch(o -> o.contains("SharedArchive"))
                    .endsWith(args.toArray(String[]::new));
        }
    }

    @Test
    void javaOptsOfItsOwnForClassDataSharingOrAotReplaceTheArchive() throws Exception {
        for (String own : List.of(
                "-XX:SharedArchiveFile=/tmp/mine.jsa",
                "-XX:ArchiveClassesAtExit=/tmp/mine.jsa",
                "-Xshare:off",
                "-XX:AOTMode=record -XX:AOTConfiguration=/tmp/mine.aotconf",
                "-XX:AOTCache=/tmp/mine.aot")) {
            assertThat(javaOptionsWith(Map.of("JAVA_OPTS", own), "-c", "4"))
                    .as(own)
                    .noneMatch(o -> o.contains("nebula-worker.jsa") || o.equals("-XX:+AutoCreateSharedArchive"))
                    .containsAll(List.of(own.split(" ")));
        }
        // The JVM reads these two as well.
        for (String variable : List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS")) {
            assertThat(javaOptionsWith(Map.of(variable, "-XX:AOTCache=/tmp/mine.aot"), "-c", "4"))
                    .as(variable)
                    .noneMatch(o -> o.contains("nebula-worker.jsa") || o.equals("-XX:+AutoCreateSharedArchive"));
        }
    }

    @Test
    void subcommandsMapTheWorkersArchiveWithoutWritingIt() throws Exception {
        Files.writeString(archive, "archive");

        assertThat(javaOptions("executions", "list"))
                .contains("-XX:SharedArchiveFile=" + archive)
                .doesNotContain("-XX:+AutoCreateSharedArchive");
        assertThat(javaOptions("--help"))
                .contains("-XX:SharedArchiveFile=" + archive)
                .doesNotContain("-XX:+AutoCreateSharedArchive");
        assertThat(javaOptions()).contains("-XX:SharedArchiveFile=" + archive, "-XX:+AutoCreateSharedArchive");
    }

    @Test
    void anArchiveOlderThanTheJarIsDroppedAndNotMapped() throws Exception {
        Files.writeString(archive, "archive");
        Files.setLastModifiedTime(archive, FileTime.from(Instant.now().minusSeconds(120)));

        assertThat(javaOptions("queues")).noneMatch(o -> o.contains("SharedArchive"));
        assertThat(archive).doesNotExist();
    }

    /** The options and arguments the launcher started the JDK with. */
    private List<String> javaOptions(String... args) throws Exception {
        return javaOptionsWith(Map.of(), args);
    }

    /** The same, with these environment variables set. */
    private List<String> javaOptionsWith(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(dir.resolve("project/bin/nebula-worker").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("JAVA_HOME", jdk.toString());
        pb.environment().remove("NEBULA_REBUILD");
        return java.run(pb, env);
    }

    private static PrintWriter silent() {
        return new PrintWriter(Writer.nullWriter());
    }

    private static void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
