package io.nebula.worker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bin/nebula-worker} from a copy of the project folder whose JDK is a script that
 * writes down the options it was started with, so the launcher's choices (here: which runs write
 * the class data sharing archive) are checked without starting a JVM or building the jar.
 */
class LauncherScriptTest {
    private static final Path LAUNCHER = Path.of("bin/nebula-worker");

    @TempDir
    Path dir;

    private Path jar;
    private Path archive;
    private Path jdk;
    private Path argsOut;

    @BeforeEach
    void fakeProjectAndJdk() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("project/bin"));
        Files.copy(LAUNCHER, bin.resolve("nebula-worker"));
        executable(bin.resolve("nebula-worker"));
        Path target = Files.createDirectories(dir.resolve("project/target"));
        jar = Files.writeString(target.resolve("nebula-worker.jar"), "not a jar");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        archive = target.resolve("nebula-worker.jsa");

        jdk = Files.createDirectories(dir.resolve("jdk/bin")).getParent();
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
        argsOut = dir.resolve("java-args.txt");
        Path java = Files.writeString(jdk.resolve("bin/java"), "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$ARGS_OUT\"\n");
        executable(java);
    }

    @Test
    void theWorkerRunWritesTheArchive() throws Exception {
        assertThat(javaOptions()).contains("-XX:SharedArchiveFile=" + archive, "-XX:+AutoCreateSharedArchive");
        assertThat(javaOptions("-c", "8", "-v", "--log-format", "json"))
                .contains("-XX:SharedArchiveFile=" + archive, "-XX:+AutoCreateSharedArchive");
    }

    @Test
    void anOptionsValueThatIsACommandsNameIsNotTakenForTheCommand() throws Exception {
        assertThat(javaOptions("-w", "bench", "--health-port", "9091", "--config", "demo"))
                .contains("-XX:+AutoCreateSharedArchive");
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
        List<String> command = new ArrayList<>();
        command.add(dir.resolve("project/bin/nebula-worker").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", jdk.toString());
        pb.environment().put("ARGS_OUT", argsOut.toString());
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("NEBULA_REBUILD");
        Files.deleteIfExists(argsOut);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return Files.readAllLines(argsOut);
    }

    private static void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
