package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.config.ConfigLoader;
import io.nebula.worker.config.FlagOverrides;
import io.nebula.worker.config.Setting;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.testing.PrometheusText;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker process as the command line builds it from flags and environment: the health port
 * follows {@code --health-port}, {@code ENABLE_METRICS=false} removes {@code /metrics}, and the
 * {@code health} switch removes the server altogether.
 */
class WorkerAppTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    private WorkerConfig config(Map<String, String> env, FlagOverrides flags) {
        return new ConfigLoader(env, tmp, () -> "app-test").load(null, flags);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private int status(int port, String path) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private String body(int port, String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void healthPortFlagMovesTheServerAndMetricsAreServedByDefault() throws Exception {
        int port = freePort();
        WorkerConfig c = config(
                Map.of("DATABASE_URL", "sqlite:" + tmp.resolve("a.db")),
                FlagOverrides.none().with(Setting.HEALTH_PORT, String.valueOf(port)));
        try (WorkerApp.Running r = WorkerApp.start(c, List.of())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> status(port, "/ready") == 200);
            assertThat(status(port, "/health")).isEqualTo(200);
            assertThat(PrometheusText.parse(body(port, "/metrics"))).containsKey("worker_jobs_processed_total");
        }
    }

    @Test
    void enableMetricsFalseRemovesTheMetricsEndpoint() throws Exception {
        int port = freePort();
        WorkerConfig c = config(
                Map.of(
                        "DATABASE_URL",
                        "sqlite:" + tmp.resolve("b.db"),
                        "ENABLE_METRICS",
                        "false",
                        "HEALTH_PORT",
                        String.valueOf(port)),
                FlagOverrides.none());
        try (WorkerApp.Running r = WorkerApp.start(c, List.of())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> status(port, "/ready") == 200);
            assertThat(status(port, "/metrics")).isEqualTo(404);
            assertThat(r.metrics()).isNull();
        }
    }

    @Test
    void theHealthSwitchTurnsTheServerOff() throws Exception {
        Path toml = tmp.resolve("worker.toml");
        java.nio.file.Files.writeString(toml, "[health]\nenabled = false\n");
        WorkerConfig c = new ConfigLoader(
                        Map.of("DATABASE_URL", "sqlite:" + tmp.resolve("c.db")), tmp, () -> "app-test")
                .load(toml, FlagOverrides.none());
        try (WorkerApp.Running r = WorkerApp.start(c, List.of())) {
            assertThat(r.health()).isNull();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> r.worker().worker().readiness().snapshot().ready());
        }
    }

    @Test
    void aWorkerServesTheConsoleWhenEnabledAndStartsNothingWhenItMayNot() throws Exception {
        WorkerConfig c = config(
                Map.of(
                        "DATABASE_URL",
                        "sqlite:" + tmp.resolve("d.db"),
                        "HEALTH_PORT",
                        "0",
                        "NEBULA_CONSOLE_ENABLED",
                        "true",
                        "NEBULA_CONSOLE_PORT",
                        "0"),
                FlagOverrides.none());
        try (WorkerApp.Running r = WorkerApp.start(c, List.of())) {
            assertThat(r.console()).isNotNull();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> r.worker().worker().readiness().snapshot().ready());
            assertThat(body(r.console().port(), "/")).contains("<h1>Overview</h1>");
        }

        int health = freePort();
        WorkerConfig open = config(
                Map.of(
                        "DATABASE_URL",
                        "sqlite:" + tmp.resolve("e.db"),
                        "HEALTH_PORT",
                        String.valueOf(health),
                        "NEBULA_CONSOLE_ENABLED",
                        "true",
                        "NEBULA_CONSOLE_BIND",
                        "0.0.0.0"),
                FlagOverrides.none());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WorkerApp.start(open, List.of()))
                .isInstanceOf(io.nebula.worker.config.ConfigException.class)
                .hasMessageContaining("console.token");
        assertThat(status(health, "/health"))
                .as("the health server was stopped again")
                .isEqualTo(-1);
    }

    @Test
    void aHealthPortInUseStopsTheWorkerWithExitCode2NamingThePortAndTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            var out = new java.io.StringWriter();
            var err = new java.io.StringWriter();
            int code = Main.run(
                    new String[] {"--health-port", Integer.toString(port)},
                    Map.of("DATABASE_URL", "sqlite:" + tmp.resolve("bind.db")),
                    Main.STARTER,
                    new java.io.PrintWriter(out, true),
                    new java.io.PrintWriter(err, true));

            assertThat(code).isEqualTo(2);
            assertThat(err.toString())
                    .startsWith("nebula-worker: health port " + port + " on 0.0.0.0 is already in use")
                    .contains("--health-port", "HEALTH_PORT", "health.port")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aConsolePortInUseStopsTheWorkerWithExitCode2NamingTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            var out = new java.io.StringWriter();
            var err = new java.io.StringWriter();
            int code = Main.run(
                    new String[] {"--health-port", "0"},
                    Map.of(
                            "DATABASE_URL",
                            "sqlite:" + tmp.resolve("console-bind.db"),
                            "NEBULA_CONSOLE_ENABLED",
                            "true",
                            "NEBULA_CONSOLE_PORT",
                            Integer.toString(port)),
                    Main.STARTER,
                    new java.io.PrintWriter(out, true),
                    new java.io.PrintWriter(err, true));

            assertThat(code).isEqualTo(2);
            assertThat(err.toString())
                    .startsWith("nebula-worker: cannot serve the console on 127.0.0.1 port " + port)
                    .contains("NEBULA_CONSOLE_PORT", "console.port")
                    .doesNotContain("--port")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aPluginsFolderOthersCanWriteIsBadConfigurationNamingTheKey() throws Exception {
        Path plugins = tmp.resolve("plugins");
        java.nio.file.Files.createDirectories(plugins);
        java.nio.file.Files.setPosixFilePermissions(
                plugins, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxr-x"));
        Path toml = tmp.resolve("w.toml");
        java.nio.file.Files.writeString(toml, "[runtime]\nplugins_dir = \"" + plugins + "\"\n");
        WorkerConfig c = new ConfigLoader(
                        Map.of("DATABASE_URL", "sqlite:" + tmp.resolve("p.db"), "HEALTH_PORT", "0"),
                        tmp,
                        () -> "app-test")
                .load(toml, FlagOverrides.none());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WorkerApp.start(c, List.of()))
                .isInstanceOf(io.nebula.worker.config.ConfigException.class)
                .hasMessageStartingWith("runtime.plugins_dir: ")
                .hasMessageContaining("writable by other users");
    }
}
