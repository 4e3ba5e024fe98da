package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nebula.worker.cli.Main;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.testing.WorkerProcess;
import io.nebula.worker.testing.WorkerSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, hostile tenant: one worker at concurrency 8 runs 300 ordinary executions while
 * executions written to hurt it are submitted among them: an expression that would build
 * gigabytes, regular expressions whose programs multiply out, evaluations that would run for
 * minutes, a 1 MiB definition of a hundred thousand expressions, executions whose node outputs and
 * errors would fill the database, and HTTP calls carrying a secret in a header, a URL query and the
 * response body. The worker must never exit; every ordinary execution must succeed on its first
 * attempt without a death; each hostile one must fail on its own, naming the limit it hit; and the
 * secret must appear nowhere in the worker's log, the database or the command line's output.
 */
@Tag("fault")
class HostileTenantFaultTest {
    private static final String SECRET =
            "sk-hostile-" + Long.toHexString(ThreadLocalRandom.current().nextLong());

    /** What each hostile execution must fail with, by id. */
    private final Map<Long, List<String>> hostile = new LinkedHashMap<>();

    private final List<Long> secretCarriers = new ArrayList<>();

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void hostileExecutionsFailOnTheirOwnAndNothingLeaks() throws Exception {
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/secret", HostileTenantFaultTest::echoTheSecret);
        upstream.start();
        WorkerSettings settings = FaultBounds.settings()
                .with("worker.concurrency", 8)
                .with("http.allow_private_networks", true); // the upstream is on loopback
        try (FaultRun run = FaultRun.sqlite("hostile-tenant", settings)) {
            WorkerProcess worker = run.fleet().start(run.names(1)).get(0);
            String base = "http://127.0.0.1:" + upstream.getAddress().getPort();

            List<Long> ordinary = new ArrayList<>();
            List<Runnable> attacks = attacks(run, base);
            for (Runnable attack : attacks) {
                ordinary.addAll(run.workload().submit(FaultWorkflows.QUICK, Collections.nCopies(30, "{}")));
                attack.run();
            }
            ordinary.addAll(
                    run.workload().submit(FaultWorkflows.QUICK, Collections.nCopies(300 - ordinary.size(), "{}")));
            run.workload().awaitDrained(Duration.ofMinutes(3));

            assertThat(worker.alive())
                    .as("the worker lives:\n%s", worker.tail(20))
                    .isTrue();
            String cli = commandLineOutput(run);
            run.fleet().stopAll();
            CheckReport report = run.check(FaultBounds.MARGIN);
            assertThat(report.allValid()).as(report.render()).isTrue();
            assertThat(run.fleet().all()).as("one process, never restarted").hasSize(1);

            ExecutionStore store = run.store().store();
            assertThat(ordinary).hasSize(300).allSatisfy(id -> {
                ExecutionView v = store.executionGet(id).orElseThrow();
                assertThat(v.state()).as("ordinary %s: %s", id, v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
                assertThat(v.attempt())
                        .as("ordinary %s succeeded on its first attempt", id)
                        .isEqualTo(1);
                assertThat(v.deaths()).isZero();
            });
            for (Map.Entry<Long, List<String>> h : hostile.entrySet()) {
                ExecutionView v = store.executionGet(h.getKey()).orElseThrow();
                assertThat(v.state()).as("hostile %s", h.getKey()).isEqualTo(ExecutionState.FAILED);
                assertThat(v.attempt())
                        .as("hostile %s failed for good at once", h.getKey())
                        .isEqualTo(1);
                assertThat(v.deaths()).isZero();
                assertThat(v.lastError()).as("hostile %s", h.getKey()).contains(h.getValue());
                assertThat(v.lastError().length()).isLessThanOrEqualTo(8_192);
            }

            String log = Files.readString(worker.logFile());
            assertThat(log).as("worker log").doesNotContain(SECRET);
            assertThat(databaseText(run))
                    .as("database (all but the stored definitions)")
                    .doesNotContain(SECRET);
            assertThat(cli)
                    .as("executions list and show")
                    .contains("secret?token=***")
                    .doesNotContain(SECRET);
            run.note("hostile tenant: " + hostile.size() + " hostile executions failed naming their limits, "
                    + ordinary.size() + " ordinary ones succeeded on their first attempt; the secret appeared in"
                    + " none of " + log.length() + " log characters, the database or " + cli.length()
                    + " characters of command output");
        } finally {
            upstream.stop(0);
        }
    }

    /** Each hostile submission, to be interleaved with the ordinary ones. */
    private List<Runnable> attacks(FaultRun run, String base) {
        Workload w = run.workload();
        String big = "{\"s\": \"" + "x".repeat(900_000) + "\"}";
        return List.of(
                // An expression that would build gigabytes (a balanced concatenation, 256 leaves).
                () -> expect(
                        w.submit(
                                "{\"name\": \"h-memory\", \"nodes\": [{\"id\": \"blow\", \"action\": \"transform\","
                                        + " \"params\": {\"value\": \"${{ size(" + balanced(256) + ") }}\"}}]}",
                                List.of(big)),
                        "node 'blow'",
                        "(limits.expression_bytes)"),
                // A regular expression from the input whose program multiplies out.
                () -> expect(
                        w.submit(
                                "{\"name\": \"h-regex\", \"nodes\": [{\"id\": \"match\", \"action\": \"noop\","
                                        + " \"when\": \"'a'.matches(input.p)\"}]}",
                                List.of("{\"p\": \"((a{1000}){1000}){1000}\"}")),
                        "node 'match'",
                        "(limits.regex_program_size)"),
                // The same as a literal, stored without validation, as a client that skips it would.
                () -> expect(
                        List.of(unchecked(
                                run,
                                "h-regex-literal",
                                "{\"name\":\"h-regex-literal\",\"nodes\":[{\"action\":\"noop\",\"id\":\"a\","
                                        + "\"when\":\"'a'.matches('((a{1000}){1000}){1000}')\"}]}")),
                        "workflow definition is not valid on this worker",
                        "(limits.regex_program_size)"),
                // Slow steps repeated: a condition and params that would run for minutes.
                () -> expect(
                        w.submit(
                                "{\"name\": \"h-slow\", \"nodes\": [{\"id\": \"spin\", \"action\": \"transform\","
                                        + " \"when\": \"input.l.all(i, !input.s.matches('(a|aa)*b'))\","
                                        + " \"params\": {\"value\": 1}}]}",
                                List.of("{\"s\": \"" + "a".repeat(200_000) + "\", \"l\": [" + "1,".repeat(9_000)
                                        + "1]}")),
                        "node 'spin'",
                        "(limits.expression_timeout_ms)"),
                // A 1 MiB definition of about 116,000 expressions, twice, stored without validation.
                () -> {
                    String many = manyExpressions();
                    expect(
                            List.of(unchecked(run, "h-many", many), unchecked(run, "h-many", many)),
                            "workflow definition is not valid on this worker",
                            "(limits.expressions_per_definition)");
                },
                // Node outputs that would add up to most of a gigabyte.
                () -> expect(
                        w.submit(chainOfEchoes(40), List.of("{\"s\": \"" + "o".repeat(500_000) + "\"}")),
                        "(limits.execution_output_bytes)"),
                // An error text of a megabyte.
                () -> expect(
                        w.submit(
                                "{\"name\": \"h-loud\", \"nodes\": [{\"id\": \"shout\", \"action\": \"fail\","
                                        + " \"params\": {\"message\": \"${{ input.s }}\"}}]}",
                                List.of(big)),
                        "node 'shout'",
                        "limits.error_bytes"),
                // A secret in a header, the URL query and the response body of a failing call.
                () -> {
                    List<Long> ids = w.submit(
                            "{\"name\": \"h-secret\", \"max_retries\": 0, \"nodes\": [{\"id\": \"call\","
                                    + " \"action\": \"http.request\", \"params\": {\"url\": \"" + base
                                    + "/secret?token="
                                    + SECRET + "\", \"headers\": {\"X-Api-Key\": \"" + SECRET + "\"}}}]}",
                            List.of("{}"));
                    expect(ids, "node 'call'", "HTTP 500 from " + base + "/secret?token=***");
                    secretCarriers.addAll(ids);
                },
                // A secret read with its trailing newline, in a header value HTTP cannot carry.
                () -> {
                    List<Long> ids = w.submit(
                            "{\"name\": \"h-newline\", \"max_retries\": 0, \"nodes\": [{\"id\": \"call\","
                                    + " \"action\": \"http.request\", \"params\": {\"url\": \"" + base + "/secret\","
                                    + " \"headers\": {\"Authorization\": \"${{ 'Bearer " + SECRET
                                    + "' + '\\\\n' }}\"}}}]}",
                            List.of("{}"));
                    expect(ids, "node 'call'", "the value of 'Authorization' contains a line break");
                    secretCarriers.addAll(ids);
                });
    }

    private void expect(List<Long> ids, String... inError) {
        ids.forEach(id -> hostile.put(id, List.of(inError)));
    }

    /** {@code (((s + s) + (s + s)) + ...)} with {@code leaves} leaves. */
    private static String balanced(int leaves) {
        String e = "input.s";
        for (int n = 1; n < leaves; n *= 2) {
            e = "(" + e + " + " + e + ")";
        }
        return e;
    }

    private static String manyExpressions() {
        StringBuilder values = new StringBuilder();
        while (values.length() < 1_040_000) {
            values.append(values.isEmpty() ? "" : ",").append("\"${{1}}\"");
        }
        return "{\"name\":\"h-many\",\"nodes\":[{\"action\":\"transform\",\"id\":\"a\",\"params\":{\"value\":[" + values
                + "]}}]}";
    }

    private static String chainOfEchoes(int n) {
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < n; i++) {
            nodes.append(i == 0 ? "" : ",")
                    .append("{\"id\": \"n")
                    .append(i)
                    .append("\", \"action\": \"transform\"")
                    .append(i == 0 ? "" : ", \"depends_on\": [\"n" + (i - 1) + "\"]")
                    .append(", \"params\": {\"value\": \"${{ input.s }}\"}}");
        }
        return "{\"name\": \"h-outputs\", \"nodes\": [" + nodes + "]}";
    }

    /** Stores a definition as it is and enqueues one execution of it, skipping validation. */
    private static long unchecked(FaultRun run, String name, String definition) {
        ExecutionStore store = run.store().store();
        store.workflowPut(new WorkflowDocument(name, name, definition));
        long id = store.executionSubmitMany(List.of(SubmitRequest.now("default", name, name, "{}", 1)))
                .get(0)
                .executionId();
        run.workload().track(id);
        return id;
    }

    private static void echoTheSecret(HttpExchange ex) throws IOException {
        String key = String.valueOf(ex.getRequestHeaders().getFirst("X-Api-Key"));
        byte[] body = ("{\"error\": \"key " + key + " refused\", \"token\": \"" + SECRET + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(500, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** {@code executions list --json} and {@code executions show ID --json} of the secret carriers. */
    private String commandLineOutput(FaultRun run) {
        StringBuilder all = new StringBuilder();
        Map<String, String> env =
                Map.of("DATABASE_URL", run.store().workerEnv().get("DATABASE_URL"), "NEBULA_LOG", "nebula_worker=warn");
        List<String[]> commands = new ArrayList<>();
        commands.add(new String[] {"executions", "list", "--json", "--limit", "1000"});
        commands.add(new String[] {"executions", "list", "--state", "failed"});
        for (long id : secretCarriers) {
            commands.add(new String[] {"executions", "show", Long.toString(id), "--json"});
            commands.add(new String[] {"executions", "show", Long.toString(id)});
        }
        for (String[] args : commands) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(args, env, c -> 0, new PrintWriter(out, true), new PrintWriter(err, true));
            assertThat(code).as("%s: %s", String.join(" ", args), err).isZero();
            all.append(out).append(err);
        }
        return all.toString();
    }

    /** Every value of every table but {@code workflows}, where the definitions are stored as given. */
    private static String databaseText(FaultRun run) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Connection c = run.store().connect();
                Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).contains("executions", "node_results");
            for (String t : tables) {
                if (t.equals("workflows")) {
                    continue;
                }
                try (ResultSet rs = st.executeQuery("SELECT * FROM \"" + t + "\"")) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            all.append(rs.getString(i)).append('\t');
                        }
                    }
                }
            }
        }
        return all.toString();
    }
}
