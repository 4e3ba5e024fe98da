package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nebula-worker console}: the refusals that happen before it serves anything. */
class CliConsoleTest {
    @TempDir
    Path tmp;

    @Test
    void bindingBeyondLoopbackWithoutATokenIsRefusedWithExitCode2() {
        CliRun r = CliRun.of(Map.of("DATABASE_URL", "sqlite:" + tmp.resolve("x.db")), "console", "--bind", "0.0.0.0");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err())
                .startsWith("nebula-worker: ")
                .contains("0.0.0.0, which is not a loopback address")
                .contains("console.token")
                .contains("NEBULA_CONSOLE_TOKEN");
    }

    @Test
    void aBadPortNamesTheFlag() {
        CliRun r = CliRun.of(Map.of("DATABASE_URL", "sqlite:" + tmp.resolve("x.db")), "console", "--port", "99999");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("console.port").contains("--port").contains("99999");
    }

    @Test
    void aTakenPortIsExitCode2NamingThePortAndTheSettings() throws Exception {
        Map<String, String> env = Map.of("DATABASE_URL", "sqlite:" + tmp.resolve("taken.db"));
        assertThat(CliRun.of(env, "migrate").exitCode()).isZero();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            CliRun r = CliRun.of(env, "console", "--port", Integer.toString(port));

            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err())
                    .startsWith("nebula-worker: cannot serve the console on 127.0.0.1 port " + port)
                    .contains("--port", "NEBULA_CONSOLE_PORT", "console.port", "console.bind")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aMissingDatabaseIsAUsageErrorThatSaysWhatToDo() {
        CliRun r = CliRun.of(Map.of("DATABASE_URL", "sqlite:" + tmp.resolve("none.db")), "console", "--port", "0");

        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("no database at").contains("migrate");
    }
}
