package io.nebula.worker.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@code java} that writes down the arguments it was started with instead of starting a JVM, for
 * tests of the scripts that start one (the launcher, the image's command).
 */
public final class StandInJava {
    private static final List<String> JVM_OPTION_VARIABLES =
            List.of("JAVA_OPTS", "JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS");

    private final Path home;
    private final Path argsOut;

    private StandInJava(Path home, Path argsOut) {
        this.home = home;
        this.argsOut = argsOut;
    }

    /** Writes {@code home/bin/java}; its arguments go to a file beside {@code home}. */
    public static StandInJava in(Path home) throws IOException {
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$ARGS_OUT\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new StandInJava(home, home.resolveSibling(home.getFileName() + "-args.txt"));
    }

    /** The folder this {@code java} is in ({@code home/bin}). */
    public Path bin() {
        return home.resolve("bin");
    }

    /**
     * Runs {@code pb} to its end (at most 30 s, exit code 0) with the JVM's option variables of this
     * process left out and {@code env} set, and returns the arguments this {@code java} got.
     */
    public List<String> run(ProcessBuilder pb, Map<String, String> env) throws Exception {
        JVM_OPTION_VARIABLES.forEach(pb.environment()::remove);
        pb.environment().put("ARGS_OUT", argsOut.toString());
        pb.environment().putAll(env);
        Files.deleteIfExists(argsOut);
        Path output = argsOut.resolveSibling(home.getFileName() + "-output.txt");
        Process p = pb.redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(output)).isZero();
        return Files.readAllLines(argsOut);
    }
}
