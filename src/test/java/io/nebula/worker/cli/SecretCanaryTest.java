package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.nebula.worker.cli.logging.CapturedLog;
import io.nebula.worker.config.ConfigLoader;
import io.nebula.worker.config.FlagOverrides;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.queue.PostgresTestDatabase;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A canary secret, resolved from a secrets folder and sent to a server that echoes it back in its
 * response, logged by a {@code log} node and put in a failing node's error, is found by the server
 * and nowhere else: not in any table of the store, not in a log line (text or JSON), not in the
 * metrics, not in any {@code --json} output of the command line. Run on both stores.
 */
class SecretCanaryTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    private final String canary = "canary-" + UUID.randomUUID();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private io.nebula.worker.testing.OtlpReceiver traces;
    private String schema;
    private WorkerApp.Running worker;

    @BeforeEach
    void startServer() throws Exception {
        traces = new io.nebula.worker.testing.OtlpReceiver();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/reserve", ex -> {
            String auth = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"));
            received.add(auth);
            String token = auth.startsWith("Bearer ") ? auth.substring(7) : auth;
            byte[] body = JSON.writeValueAsBytes(Map.of("reservation", "r-1", "echo", auth, "token", token));
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.getResponseHeaders().set("X-Token-Echo", token);
            ex.sendResponseHeaders(201, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/deny", ex -> {
            received.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            byte[] body = ("token " + ex.getRequestHeaders().getFirst("Authorization") + " refused")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(403, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.worker().worker().stop(Duration.ZERO);
        }
        server.stop(0);
        traces.close();
        if (schema != null) {
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    @Test
    void aCanarySecretLeavesNoTraceInSqlite() throws Exception {
        Path db = tmp.resolve("canary.db");
        Path config = writeConfig("url = \"sqlite:" + db + "\"\n");
        List<String> outputs = runEverything(config);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            assertNoTableHoldsTheCanary(
                    c,
                    tables(
                            c,
                            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                                    + " AND name NOT LIKE 'sqlite_%'"),
                    "");
        }
        assertThat(outputs).isNotEmpty();
    }

    @Test
    void aCanarySecretLeavesNoTraceInPostgres() throws Exception {
        PostgresTestDatabase.require();
        schema = PostgresTestDatabase.newSchema();
        String url =
                PostgresTestDatabase.URL.replace("jdbc:postgresql://", "postgres://" + PostgresTestDatabase.USER + "@");
        Path config = writeConfig("url = \"" + url + "\"\nschema = \"" + schema + "\"\n");
        runEverything(config);
        try (Connection c = PostgresTestDatabase.connect()) {
            assertNoTableHoldsTheCanary(
                    c,
                    tables(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema + "'"),
                    schema + ".");
        }
    }

    private Path writeConfig(String database) throws Exception {
        Path secrets = Files.createDirectories(tmp.resolve("secrets"));
        Files.writeString(secrets.resolve("PAYMENT_TOKEN"), canary + "\n");
        Path config = tmp.resolve("worker.toml");
        Files.writeString(
                config,
                "[worker]\npoll_interval_ms = 50\n"
                        + "[database]\n" + database
                        + "[health]\nenabled = false\n"
                        + "[http]\nallow_private_networks = true\n"
                        + "[otel]\nexporter_otlp_endpoint = \"" + traces.endpoint()
                        + "\"\nbsp_schedule_delay_ms = 100\n"
                        + "[secrets]\ndir = \"" + secrets + "\"\nenv_prefix = \"NEBULA_CANARY_TEST_\"\n");
        return config;
    }

    /**
     * Migrates, starts a worker, runs the three workflows to their ends and returns every {@code
     * --json} output of the commands that show them, each checked for the canary.
     */
    private List<String> runEverything(Path config) throws Exception {
        List<String> outputs = new ArrayList<>();
        try (CapturedLog log = CapturedLog.open()) {
            assertThat(cli(config, "migrate").exitCode()).isZero();
            WorkerConfig wc = new ConfigLoader(Map.of()).load(config, FlagOverrides.none());
            worker = WorkerApp.start(wc, List.of());
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> worker.worker().worker().readiness().snapshot().ready());

            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Path example = CliFixture.example("payment-with-secret.yaml");
            CliRun ok = cli(
                    config,
                    "submit",
                    example.toString(),
                    "--input",
                    "{\"url\": \"" + base + "/reserve\", \"order_id\": \"o-1\", \"amount\": 12.5}",
                    "--wait",
                    "--json");
            outputs.add(ok.out());
            assertThat(ok.exitCode()).as(ok.out() + ok.err()).isZero();
            JsonNode submitted = JSON.readTree(ok.out());
            long okId = submitted.get("id").asLong();

            CliRun denied = cli(
                    config,
                    "submit",
                    example.toString(),
                    "--input",
                    "{\"url\": \"" + base + "/deny\", \"order_id\": \"o-2\", \"amount\": 1}",
                    "--wait",
                    "--json");
            outputs.add(denied.out());
            assertThat(denied.exitCode()).as(denied.out() + denied.err()).isNotZero();

            Path leaky = tmp.resolve("leaky.yaml");
            Files.writeString(leaky, """
                    name: leaky
                    nodes:
                      - id: say
                        action: log
                        params: { message: "the token is ${{ secrets.PAYMENT_TOKEN }}" }
                      - id: boom
                        action: fail
                        depends_on: [say]
                        params: { message: "rejected ${{ secrets.PAYMENT_TOKEN }} for good" }
                    """);
            CliRun failed = cli(config, "submit", leaky.toString(), "--wait", "--json");
            outputs.add(failed.out());
            assertThat(failed.exitCode()).as(failed.out() + failed.err()).isNotZero();

            Path inPath = tmp.resolve("in-path.yaml");
            Files.writeString(inPath, """
                    name: in-path
                    nodes:
                      - id: path
                        action: http.request
                        params: { url: "%s/deny/${{ secrets.PAYMENT_TOKEN }}" }
                    """.formatted(base));
            CliRun refused = cli(config, "submit", inPath.toString(), "--wait", "--json");
            outputs.add(refused.out());
            assertThat(refused.exitCode()).as(refused.out() + refused.err()).isNotZero();

            // The server got the real token: the secret was resolved and sent.
            assertThat(received).contains("Bearer " + canary);

            CliRun list = cli(config, "executions", "list", "--json");
            outputs.add(list.out());
            JsonNode all = JSON.readTree(list.out());
            assertThat(all.size()).isEqualTo(4);
            for (JsonNode e : all) {
                String id = e.get("id").asString();
                outputs.add(cli(config, "executions", "show", id, "--json").out());
                outputs.add(cli(config, "executions", "explain", id, "--json").out());
            }
            JsonNode shown = JSON.readTree(cli(config, "executions", "show", Long.toString(okId), "--json")
                    .out());
            // The echoed token was kept, masked, in the node's output.
            assertThat(shown.toString()).contains("Bearer ***");

            ByteArrayOutputStream metrics = new ByteArrayOutputStream();
            worker.metrics().write(metrics);
            outputs.add(metrics.toString(StandardCharsets.UTF_8));

            // Spans leave the worker too: the URL with the secret in its path, its error, every attribute.
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> traces.spans().stream()
                            .anyMatch(sp -> String.valueOf(sp.attr("url.full")).contains("/deny/")));
            for (var span : traces.spans()) {
                outputs.add(span.toString());
            }
            assertThat(traces.spans())
                    .anySatisfy(sp ->
                            assertThat(String.valueOf(sp.attr("url.full"))).endsWith("/deny/***"));

            worker.worker().worker().stop(Duration.ZERO);
            worker = null;
            for (String line : log.lines()) {
                assertThat(line).doesNotContain(canary);
            }
            assertThat(log.lines()).anyMatch(l -> l.contains("the token is ***"));
        }
        for (String out : outputs) {
            assertThat(out).doesNotContain(canary);
        }
        String failedJson = String.join("\n", outputs);
        assertThat(failedJson).contains("rejected *** for good");
        return outputs;
    }

    private CliRun cli(Path config, String... args) {
        // Info, as a worker logs by default: the log node's line and the tracing records are kept.
        return CliRun.withConfig(config, Map.of("NEBULA_LOG", "nebula_worker=info"), args);
    }

    private static List<String> tables(Connection c, String sql) throws Exception {
        List<String> names = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        assertThat(names).contains("executions", "node_results", "installation");
        return names;
    }

    private void assertNoTableHoldsTheCanary(Connection c, List<String> tables, String qualifier) throws Exception {
        long values = 0;
        for (String t : tables) {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT * FROM " + qualifier + t)) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= columns; i++) {
                        String v = rs.getString(i);
                        if (v != null) {
                            values++;
                            assertThat(v)
                                    .as(t + "." + rs.getMetaData().getColumnName(i))
                                    .doesNotContain(canary);
                        }
                    }
                }
            }
        }
        assertThat(values).isPositive();
    }
}
