package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.config.DatabaseUrl;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import io.nebula.worker.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code demo --exit-when-done} on a temporary SQLite file: every bundled example gets where it should. */
class DemoCommandTest {
    @TempDir
    Path tmp;

    private CliRun demo(Path db, String... extra) {
        Map<String, String> env = Map.of(
                "DATABASE_URL",
                "sqlite:" + db,
                "HEALTH_PORT",
                "0",
                "NEBULA_CONSOLE_PORT",
                "0",
                "NEBULA_LOG",
                "nebula_worker=warn");
        String[] args = new String[6 + extra.length];
        args[0] = "demo";
        args[1] = "--exit-when-done";
        args[2] = "--examples";
        args[3] = CliFixture.EXAMPLES.toString();
        args[4] = "--progress";
        args[5] = "plain";
        System.arraycopy(extra, 0, args, 6, extra.length);
        return CliRun.of(env, args);
    }

    @Test
    void everyExampleReachesItsExpectedStateOffline() {
        Path db = tmp.resolve("demo.db");

        CliRun r = demo(db);

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("nebula-worker demo: one worker")
                .containsPattern("health +http://localhost:\\d+/health")
                .containsPattern("console http://127\\.0\\.0\\.1:\\d+/")
                .contains("the HTTP example calls a local endpoint, not the internet")
                .contains("node flaky (fail) try 1 failed, trying again: upstream is warming up")
                .contains("node call (http.request) try 1 failed, trying again: HTTP 503")
                .contains("failed: node 'call' (http.request) failed after 1 attempt: HTTP 404")
                .contains("waiting until")
                .containsPattern("ID +EXAMPLE +WORKFLOW +STATE +ATTEMPTS +DURATION +OUTPUT / ERROR +AS EXPECTED")
                .contains("delivering signal 'approve'")
                .contains("stored schedule 'nightly-report' from nightly-report.schedules.yaml")
                .contains("the payment example's token is the secret PAYMENT_TOKEN, read from"
                        + " NEBULA_SECRET_PAYMENT_TOKEN (not set, so the demo made one up)")
                .contains("All 14 executions reached their expected state.")
                .containsPattern("node call \\(http\\.request\\) succeeded in \\S+ on try 2");
        // It ends with where its executions are and the two commands that show them again.
        List<String> last = r.out().strip().lines().toList();
        last = last.subList(last.size() - 3, last.size());
        assertThat(last.get(0)).isEqualTo("The demo's executions are kept in " + db + ". Look at them again with:");
        assertThat(last.get(1)).matches("  DATABASE_URL=sqlite:\\S*demo\\.db bin/nebula-worker executions list");
        assertThat(last.get(2)).matches("  DATABASE_URL=sqlite:\\S*demo\\.db bin/nebula-worker executions show \\d+");
        long shown = Long.parseLong(last.get(2).replaceAll(".* ", ""));
        try (var store = SqliteExecutionStore.open(db, StoreOptions.defaults("demo-test"))) {
            assertThat(store.nodeResultList(shown))
                    .as("the execution shown is one whose node needed a second try")
                    .anySatisfy(n -> assertThat(n.tries()).isNotEmpty());
            List<ExecutionView> all = store.executionList(ExecutionFilter.all(100));
            Map<String, List<ExecutionState>> byWorkflow = all.stream()
                    .collect(Collectors.groupingBy(
                            ExecutionView::workflowName,
                            Collectors.mapping(ExecutionView::state, Collectors.toList())));
            assertThat(byWorkflow.get("hello")).containsExactly(ExecutionState.SUCCEEDED);
            assertThat(byWorkflow.get("flaky-retry")).containsExactly(ExecutionState.SUCCEEDED);
            assertThat(byWorkflow.get("order-pipeline"))
                    .containsExactly(ExecutionState.SUCCEEDED, ExecutionState.SUCCEEDED);
            assertThat(byWorkflow.get("http-call"))
                    .containsExactlyInAnyOrder(ExecutionState.SUCCEEDED, ExecutionState.FAILED);
            assertThat(byWorkflow.get("payment-with-secret")).containsExactly(ExecutionState.SUCCEEDED);
            ExecutionView payment = all.stream()
                    .filter(v -> v.workflowName().equals("payment-with-secret"))
                    .findFirst()
                    .orElseThrow();
            // The endpoint echoed the made-up token; it is stored masked.
            assertThat(payment.outputJson()).contains("Bearer ***").doesNotContain("demo-");
            ExecutionView delay = all.stream()
                    .filter(v -> v.workflowName().equals("long-delay"))
                    .findFirst()
                    .orElseThrow();
            // The file is not the demo's own, so the demo cancelled what no worker would take.
            assertThat(delay.state()).isEqualTo(ExecutionState.CANCELLED);
            assertThat(store.historyList(delay.id()))
                    .extracting(HistoryEntry::event)
                    .containsExactly("claimed", "waiting", "cancelled");
            assertThat(all).allMatch(v -> v.queue().equals(DemoCommand.QUEUE));
            ExecutionView approval = all.stream()
                    .filter(v -> v.workflowName().equals("approval"))
                    .findFirst()
                    .orElseThrow();
            assertThat(approval.state()).isEqualTo(ExecutionState.SUCCEEDED);
            assertThat(approval.outputJson()).contains("approved by the demo");
            assertThat(store.historyList(approval.id()))
                    .extracting(HistoryEntry::event)
                    .containsExactly("claimed", "awaiting_signal", "signal_received", "claimed", "succeeded");
            ExecutionView batch = all.stream()
                    .filter(v -> v.workflowName().equals("ship-each"))
                    .findFirst()
                    .orElseThrow();
            assertThat(batch.state()).isEqualTo(ExecutionState.SUCCEEDED);
            assertThat(JsonViews.JSON.readTree(batch.outputJson()).path("shipments"))
                    .extracting(s -> s.path("tracking").asString())
                    .containsExactly("TRK-B-1", "TRK-B-2", "TRK-B-3", "TRK-B-4");
            // shipping.yaml on its own, as order-with-shipping's child and as each order's of the batch.
            assertThat(byWorkflow.get("shipping")).hasSize(6).containsOnly(ExecutionState.SUCCEEDED);
            ExecutionView report = all.stream()
                    .filter(v -> v.workflowName().equals("nightly-report"))
                    .findFirst()
                    .orElseThrow();
            assertThat(report.state()).isEqualTo(ExecutionState.SUCCEEDED);
            assertThat(report.idempotencyKey()).startsWith("schedule:nightly-report:");
            // Nor does its schedule stay behind to fire on the demo's queue every night.
            assertThat(store.scheduleList()).isEmpty();
        }
        assertThat(r.out())
                .contains("(cron 0 2 * * * in Europe/Berlin)")
                .contains("deleted the demo's schedule 'nightly-report'")
                .containsPattern("cancelled the demo's execution \\d+, still waiting on queue 'demo'");
    }

    /**
     * The same on PostgreSQL, configured as operators do (a file naming the URL and a schema of its
     * own). Its clock has microseconds where fire times keep milliseconds, so the demo's wait for the
     * schedule's first fire must not compare the two exactly.
     */
    @Test
    void everyExampleReachesItsExpectedStateOnPostgres() throws Exception {
        PostgresTestDatabase.require();
        String schema = PostgresTestDatabase.newSchema();
        Path config = tmp.resolve("worker.toml");
        String url =
                PostgresTestDatabase.URL.replace("jdbc:postgresql://", "postgres://" + PostgresTestDatabase.USER + "@");
        Files.writeString(config, "[database]\nurl = \"" + url + "\"\nschema = \"" + schema + "\"\n");
        try {
            assertThat(CliRun.of(Map.of(), "migrate", "--config", config.toString())
                            .exitCode())
                    .isZero();
            // Someone's own schedule of the same name, on another queue, which the demo must leave as it is.
            CliRun mine = CliRun.of(
                    Map.of(),
                    "schedules",
                    "create",
                    "nightly-report",
                    "--workflow",
                    CliFixture.example("hello.json").toString(),
                    "--cron",
                    "30 6 * * 1-5",
                    "--config",
                    config.toString());
            assertThat(mine.exitCode()).as(mine.err()).isZero();

            CliRun r = CliRun.of(
                    Map.of("HEALTH_PORT", "0", "NEBULA_CONSOLE_PORT", "0", "NEBULA_LOG", "nebula_worker=warn"),
                    "demo",
                    "--exit-when-done",
                    "--examples",
                    CliFixture.EXAMPLES.toString(),
                    "--progress",
                    "plain",
                    "--config",
                    config.toString());

            assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
            assertThat(r.out())
                    .contains("store postgres://")
                    .contains("stored schedule 'demo-nightly-report' from nightly-report.schedules.yaml")
                    .contains("All 14 executions reached their expected state.")
                    .contains("deleted the demo's schedule 'demo-nightly-report'")
                    .contains("  DATABASE_URL='" + url + "' bin/nebula-worker executions list");
            CliRun after = CliRun.of(Map.of(), "schedules", "list", "--json", "--config", config.toString());
            JsonNode left = JsonViews.JSON.readTree(after.out());
            assertThat(left).hasSize(1);
            assertThat(left.get(0).get("name").asString()).isEqualTo("nightly-report");
            assertThat(left.get(0).get("cron").asString()).isEqualTo("30 6 * * 1-5");
            assertThat(left.get(0).get("queue").asString()).isEqualTo("default");
        } finally {
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    @Test
    void jsonResultsSayWhetherEachRunWentAsExpected() {
        CliRun r = demo(tmp.resolve("demo.db"), "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode results = JsonViews.JSON.readTree(r.out());
        assertThat(r.err()).contains("submitted hello.json");
        assertThat(results).hasSize(14);
        for (JsonNode run : results) {
            assertThat(run.get("as_expected").asBoolean()).as(run.toString()).isTrue();
            assertThat(run.has("label")).isTrue();
            assertThat(run.has("expected")).isTrue();
            assertThat(run.has("example")).isTrue();
        }
    }

    @Test
    void thePlanHasInputsForEveryBundledExample() throws Exception {
        assertThat(DemoPlan.knownFiles())
                .containsExactlyInAnyOrderElementsOf(DemoCommand.exampleFiles(CliFixture.EXAMPLES));
    }

    @Test
    void theDemoUsesItsOwnFileQueueAndLoopbackPermission() {
        var defaults = TestConfigs.sqlite(Path.of("data", "nebula.db").toAbsolutePath());
        var demo = DemoCommand.demoConfig(defaults);

        assertThat(demo.database().url())
                .isEqualTo(new DatabaseUrl.Sqlite(
                        Path.of("data", "nebula-demo.db").toAbsolutePath().normalize()));
        assertThat(demo.worker().queues()).containsExactly("demo");
        assertThat(demo.http().allowPrivateNetworks()).isTrue();

        assertThat(DemoCommand.ownsStore(demo)).isTrue();

        var chosen = TestConfigs.sqlite(tmp.resolve("mine.db"));
        assertThat(DemoCommand.demoConfig(chosen).database().url())
                .isEqualTo(chosen.database().url());
        assertThat(DemoCommand.ownsStore(DemoCommand.demoConfig(chosen))).isFalse();
    }

    @Test
    void anExamplesFolderWithABrokenWorkflowStopsBeforeAnythingIsSubmitted() throws Exception {
        Path dir = tmp.resolve("examples");
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(dir.resolve("hello.json"), "{\"name\":\"hello\",\"nodes\":[]}");
        Map<String, String> env =
                Map.of("DATABASE_URL", "sqlite:" + tmp.resolve("d.db"), "HEALTH_PORT", "0", "NEBULA_LOG", "off");

        CliRun r = CliRun.of(env, "demo", "--exit-when-done", "--examples", dir.toString());

        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(r.err())
                .contains("an example workflow is invalid; nothing was submitted")
                .contains("hello.json");
    }
}
