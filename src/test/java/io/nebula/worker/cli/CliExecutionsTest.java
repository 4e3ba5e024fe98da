package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.Completions;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.NodeTry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code executions list|show|retry|cancel|explain} through the real command line on a SQLite file. */
class CliExecutionsTest {
    @TempDir
    Path tmp;

    CliFixture f;

    @BeforeEach
    void setUp() {
        f = new CliFixture(tmp).migrated();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private long submit(String example, String... extra) {
        String[] args = new String[2 + extra.length];
        args[0] = "submit";
        args[1] = CliFixture.example(example).toString();
        System.arraycopy(extra, 0, args, 2, extra.length);
        CliRun r = f.run(args);
        assertThat(r.exitCode()).as(r.err()).isZero();
        return Long.parseLong(r.out().replaceAll("(?s)^submitted execution (\\d+).*", "$1"));
    }

    /** Claims the next execution as worker "w1" and fails it for good, with one node recorded. */
    private void failNext() {
        ClaimedExecution c = f.store()
                .executionClaim(new ClaimRequest("w1", List.of("default"), 1, Duration.ofMinutes(5)))
                .get(0);
        NodeResult greet = new NodeResult(
                "greet", NodeStatus.FAILED, null, "boom", 1, Instant.now().minusMillis(5), Instant.now());
        f.store()
                .executionCompleteMany(
                        List.of(Completions.fail(c.lease(), "node 'greet' failed: boom", false, null, List.of(greet))));
    }

    private static JsonNode json(CliRun r) {
        return JsonViews.JSON.readTree(r.out());
    }

    @Test
    void listShowsNewestFirstAndFilters() {
        long hello = submit("hello.json");
        long later = submit("hello.json", "--queue", "mail", "--force", "--delay", "1h");
        long flaky = submit("flaky-retry.json");

        CliRun all = f.run("executions", "list");
        assertThat(all.exitCode()).isZero();
        List<String> lines = all.out().lines().toList();
        assertThat(lines.get(0))
                .startsWith("ID")
                .contains("WORKFLOW")
                .contains("STATE")
                .contains("DETAIL");
        assertThat(lines.get(1)).startsWith(flaky + " ").contains("flaky-retry").contains("available");
        assertThat(lines.get(2)).startsWith(later + " ").contains("mail").contains("due in 59m");
        assertThat(lines.get(3)).startsWith(hello + " ");

        assertThat(f.run("executions", "list", "--queue", "mail").out())
                .contains("mail")
                .doesNotContain("flaky");
        assertThat(f.run("executions", "list", "--workflow", "flaky-retry", "--limit", "1")
                        .out()
                        .lines())
                .hasSize(2);
        assertThat(f.run("executions", "list", "--state", "failed").out()).isEqualTo("No executions match.\n");
        CliRun badState = f.run("executions", "list", "--state", "stuck");
        assertThat(badState.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(badState.err()).contains("unknown execution state 'stuck'").contains("allowed: available");
    }

    @Test
    void aFullListNamesTheNextPageAndBeforeListsIt() {
        long first = submit("hello.json");
        long second = submit("hello.json", "--force");
        long third = submit("hello.json", "--force");

        CliRun page = f.run("executions", "list", "--limit", "2");
        assertThat(page.exitCode()).isZero();
        assertThat(page.out().lines().skip(1).map(l -> l.split(" ")[0]))
                .containsExactly(String.valueOf(third), String.valueOf(second));
        assertThat(page.err()).isEqualTo("For older executions, add --before " + second + "\n");

        CliRun next = f.run("executions", "list", "--limit", "2", "--before", String.valueOf(second));
        assertThat(next.exitCode()).isZero();
        assertThat(next.out().lines().skip(1).map(l -> l.split(" ")[0])).containsExactly(String.valueOf(first));
        assertThat(next.err()).isEmpty();

        CliRun whole = f.run("executions", "list", "--limit", "3");
        assertThat(whole.out().lines()).hasSize(4);
        assertThat(whole.err())
                .as("a full page with nothing older names no next page")
                .isEmpty();

        assertThat(json(f.run("executions", "list", "--json", "--before", String.valueOf(third))))
                .extracting(e -> e.get("id").asLong())
                .containsExactly(second, first);
        CliRun jsonPage = f.run("executions", "list", "--json", "--limit", "1");
        assertThat(json(jsonPage)).extracting(e -> e.get("id").asLong()).containsExactly(third);
        assertThat(jsonPage.err())
                .as("the JSON stands alone, also through 2>&1")
                .isEmpty();
        assertThat(f.run("executions", "list", "--before", String.valueOf(first))
                        .out())
                .isEqualTo("No executions match.\n");
        CliRun withEquals = f.run("executions", "list", "--limit=2", "--before=" + second);
        assertThat(withEquals.exitCode()).as(withEquals.err()).isZero();
        assertThat(withEquals.out().lines().skip(1).map(l -> l.split(" ")[0])).containsExactly(String.valueOf(first));
        CliRun bad = f.run("executions", "list", "--before", "0");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(bad.err()).contains("--before must be an execution id (1 or more), not 0");
    }

    @Test
    void theWorkersOwnOptionsBeforeACommandAreRefusedNotDropped() {
        CliRun list = f.run("-c", "8", "executions", "list");
        assertThat(list.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(list.err())
                .contains("-c/--concurrency is an option of the worker itself, not of `executions`: set"
                        + " WORKER_CONCURRENCY or worker.concurrency in the configuration file instead");
        assertThat(list.out()).isEmpty();

        CliRun demo = f.run("-h", "19196", "demo", "--exit-when-done");
        assertThat(demo.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(demo.err())
                .contains("-h/--health-port is an option of the worker itself, not of `demo`")
                .contains("HEALTH_PORT or health.port");
        assertThat(demo.out()).isEmpty();

        CliRun bench = f.run("-c", "2048", "bench", "-s", "drain");
        assertThat(bench.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(bench.err())
                .contains("-c/--concurrency before `bench` is the worker's; `bench` takes its own after its name:"
                        + " nebula-worker bench --concurrency ...");

        CliRun help = f.run("-c", "8", "executions", "list", "--help");
        assertThat(help.exitCode()).as("help wins over the check").isZero();
        assertThat(help.out()).contains("--before <ID>");

        assertThat(f.run("--log-format", "text", "executions", "list").exitCode())
                .isZero();
    }

    @Test
    void theJsonViewsEmbedAnInputNestedAsDeepAsASubmitTakes() throws Exception {
        java.nio.file.Path flow = java.nio.file.Files.writeString(tmp.resolve("deep.yaml"), """
                name: deep
                nodes:
                  - id: n
                    action: noop
                """);
        // 500 levels with the input's own object: the most a submit accepts.
        String input = "{\"x\": " + "[".repeat(499) + "]".repeat(499) + "}";
        CliRun submitted = f.run("submit", flow.toString(), "--input", input, "--json");
        assertThat(submitted.exitCode()).as(submitted.err()).isZero();
        long id = json(submitted).get("id").asLong();

        for (CliRun view : List.of(
                f.run("executions", "show", String.valueOf(id), "--json"), f.run("executions", "list", "--json"))) {
            assertThat(view.exitCode()).as(view.err()).isZero();
            assertThat(view.out()).contains("\"x\"").contains("\"deep\"");
        }
    }

    @Test
    void listJsonHasStableFieldsAndEmbeddedInput() {
        submit("hello.json", "--input", "{\"name\":\"Ada\"}", "--idempotency-key", "k");

        JsonNode list = json(f.run("executions", "list", "--json"));

        assertThat(list).hasSize(1);
        JsonNode e = list.get(0);
        for (String field : List.of(
                "id",
                "workflow",
                "workflow_hash",
                "queue",
                "state",
                "priority",
                "attempt",
                "max_attempts",
                "deaths",
                "run_at",
                "created_at",
                "started_at",
                "finished_at",
                "lease_owner",
                "lease_epoch",
                "lease_expires_at",
                "cancel_requested",
                "idempotency_key",
                "input",
                "output",
                "error")) {
            assertThat(e.has(field)).as(field).isTrue();
        }
        assertThat(e.get("input").get("name").asString()).isEqualTo("Ada");
        assertThat(e.get("state").asString()).isEqualTo("available");
        assertThat(e.get("started_at").isNull()).isTrue();
        assertThat(e.get("max_attempts").asInt()).isEqualTo(4);
    }

    @Test
    void showListsStateNodesHistoryAndTheExplanation() {
        long id = submit("hello.json");
        failNext();

        CliRun r = f.run("executions", "show", Long.toString(id));

        assertThat(r.exitCode()).isZero();
        assertThat(r.out())
                .contains("Execution " + id + " of workflow 'hello' on queue 'default'")
                .contains("state     failed")
                .contains("why       Finished: failed at")
                .contains("attempts  1 of 4")
                .contains("lease     last held by w1 (epoch 1)")
                .contains("error     node 'greet' failed: boom")
                .containsPattern("greet +transform +failed +1 +- +\\S+ +boom")
                .containsPattern("claimed +available -> running +1 +w1")
                .containsPattern("failed +running -> failed +1 +w1");
    }

    @Test
    void aNodeThatNeededTwoTriesShowsThemInTheTableTheJsonTheHistoryAndTheExplanation() {
        long id = submit("hello.json");
        ClaimedExecution c = f.store()
                .executionClaim(new ClaimRequest("w1", List.of("default"), 1, Duration.ofMinutes(5)))
                .get(0);
        Instant t0 = Instant.now().minusSeconds(2);
        NodeTry first = new NodeTry(1, 1, t0, t0.plusMillis(40), "HTTP 503 from https://hotel.example/reserve: busy");
        NodeResult greet = new NodeResult(
                "greet", NodeStatus.SUCCEEDED, "\"hi\"", null, 1, t0, t0.plusMillis(1238), List.of(first));
        f.store().executionCompleteMany(List.of(Completions.succeed(c.lease(), "\"hi\"", List.of(greet))));

        CliRun text = f.run("executions", "show", Long.toString(id));
        JsonNode j = json(f.run("executions", "show", Long.toString(id), "--json"));
        CliRun why = f.run("executions", "explain", Long.toString(id));

        assertThat(text.out())
                .containsPattern("greet +transform +succeeded +1 +2 +1\\.2s +\"hi\"")
                .contains("Failed tries")
                .containsPattern("greet +1 +1 +\\S+ +40ms +HTTP 503 from https://hotel.example/reserve: busy")
                .containsPattern("node_try_failed +1 +w1 +node 'greet' try 1 failed: HTTP 503");
        JsonNode node = j.get("nodes").get(0);
        assertThat(node.get("try").asInt()).isEqualTo(2);
        assertThat(node.get("failed_tries")).singleElement().satisfies(t -> {
            assertThat(t.get("attempt").asInt()).isEqualTo(1);
            assertThat(t.get("try").asInt()).isEqualTo(1);
            assertThat(t.get("duration_ms").asLong()).isEqualTo(40);
            assertThat(t.get("error").asString()).startsWith("HTTP 503");
        });
        assertThat(j.get("history"))
                .extracting(h -> h.get("event").asString())
                .containsExactly("claimed", "node_try_failed", "succeeded");
        assertThat(why.out())
                .contains("Node 'greet' failed once with HTTP 503 from https://hotel.example/reserve: busy,"
                        + " succeeded on try 2.");
    }

    @Test
    void showGivesAMapNodesProgressAndItsFailedItemsAsTextAndJson() {
        long id = submit(
                "notify-all.yaml",
                "--input",
                "{\"url\":\"https://mail.example/send\",\"recipients\":[{\"name\":\"a\",\"email\":\"a@x\"},"
                        + "{\"name\":\"b\",\"email\":\"b@x\"},{\"name\":\"c\",\"email\":\"c@x\"}]}");
        ClaimedExecution c = f.store()
                .executionClaim(new ClaimRequest("w1", List.of("default"), 1, Duration.ofMinutes(5)))
                .get(0);
        Instant t = Instant.now();
        f.store()
                .nodeCheckpointMany(List.of(
                        new ExecutionStore.Checkpoint(
                                c.lease(),
                                new NodeResult(
                                        "notify[]",
                                        NodeStatus.SUCCEEDED,
                                        "{\"items\":3,\"max_parallel\":4}",
                                        null,
                                        1,
                                        t,
                                        t)),
                        new ExecutionStore.Checkpoint(
                                c.lease(),
                                new NodeResult("notify[0]", NodeStatus.SUCCEEDED, "{\"status\":202}", null, 1, t, t)),
                        new ExecutionStore.Checkpoint(
                                c.lease(),
                                new NodeResult(
                                        "notify[2]", NodeStatus.FAILED, null, "HTTP 404 from mail.example", 1, t, t))));

        CliRun text = f.run("executions", "show", Long.toString(id));
        JsonNode j = json(f.run("executions", "show", Long.toString(id), "--json"));

        assertThat(text.out())
                .containsPattern("notify +http.request +pending .*\\[1 of 3 items done, 1 failed, 1 running\\]")
                .contains("Failed items")
                .containsPattern("notify +2 +1 +- +HTTP 404 from mail.example")
                .doesNotContain("notify[0]");
        JsonNode items = j.get("nodes").get(0).get("items");
        assertThat(items.get("total").asInt()).isEqualTo(3);
        assertThat(items.get("done").asInt()).isEqualTo(1);
        assertThat(items.get("failed").asInt()).isEqualTo(1);
        assertThat(items.get("running").asInt()).isEqualTo(1);
        assertThat(items.get("pending").asInt()).isZero();
        assertThat(items.get("failed_items"))
                .singleElement()
                .satisfies(x -> assertThat(x.get("node_id").asString()).isEqualTo("notify[2]"));
        assertThat(j.get("nodes")).hasSize(2);
        assertThat(j.get("parent").isNull()).isTrue();
    }

    @Test
    void showSaysWhenAnExecutionTimesOut() throws Exception {
        Path file = tmp.resolve("timed.json");
        java.nio.file.Files.writeString(file, """
                {"name": "timed", "timeout_seconds": 90, "nodes": [{"id": "a", "action": "noop"}]}""");
        CliRun submitted = f.run("submit", file.toString());
        assertThat(submitted.exitCode()).as(submitted.err()).isZero();
        long id = Long.parseLong(submitted.out().replaceAll("(?s)^submitted execution (\\d+).*", "$1"));

        CliRun queued = f.run("executions", "show", Long.toString(id));
        JsonNode queuedJson = json(f.run("executions", "show", Long.toString(id), "--json"));
        assertThat(queued.out()).containsPattern("\\n  timeout +1m 30s from its first start\\n");
        assertThat(queuedJson.get("timeout_seconds").asDouble()).isEqualTo(90.0);
        assertThat(queuedJson.get("times_out_at").isNull())
                .as("not started yet")
                .isTrue();

        // Claimed: it has started, so it times out 90 s after that.
        f.store().executionClaim(new ClaimRequest("w1", List.of("default"), 1, Duration.ofMinutes(5)));
        var started = f.store().executionGet(id).orElseThrow();
        JsonNode runningJson = json(f.run("executions", "show", Long.toString(id), "--json"));
        assertThat(runningJson.get("times_out_at").asString())
                .isEqualTo(started.startedAt().plusSeconds(90).toString());
        assertThat(f.run("executions", "show", Long.toString(id)).out())
                .containsPattern("  timeout +1m 30s from its first start, at ");
        assertThat(json(f.run("executions", "show", Long.toString(submit("hello.json")), "--json"))
                        .get("timeout_seconds")
                        .isNull())
                .isTrue();
    }

    @Test
    void showLinksAParentAndItsChildBothWays() {
        long parent = submit(
                "order-with-shipping.yaml", "--input", "{\"order\":{\"id\":\"A-1\",\"address\":\"x\",\"items\":[]}}");
        long child = submit(
                "shipping.yaml",
                "--input",
                "{\"order_id\":\"A-1\",\"address\":\"x\",\"weight_kg\":1}",
                "--idempotency-key",
                io.nebula.worker.queue.ChildKeys.key(parent, "ship"));

        CliRun p = f.run("executions", "show", Long.toString(parent));
        JsonNode pj = json(f.run("executions", "show", Long.toString(parent), "--json"));
        CliRun ch = f.run("executions", "show", Long.toString(child));
        JsonNode cj = json(f.run("executions", "show", Long.toString(child), "--json"));

        assertThat(p.out())
                .contains("Children (sub-workflow executions)")
                .containsPattern("ship +" + child + " +shipping +available")
                .containsPattern("ship +workflow +pending");
        assertThat(pj.get("children")).singleElement().satisfies(x -> {
            assertThat(x.get("execution_id").asLong()).isEqualTo(child);
            assertThat(x.get("node_id").asString()).isEqualTo("ship");
        });
        assertThat(ch.out()).contains("parent    execution " + parent + " (its node 'ship')");
        assertThat(cj.get("parent").get("execution_id").asLong()).isEqualTo(parent);
        assertThat(cj.get("children")).isEmpty();
    }

    @Test
    void showJsonCarriesNodesHistoryAndExplanation() {
        long id = submit("order-pipeline.yaml", "--input", "{\"order\":{\"id\":\"1\",\"express\":true,\"items\":[]}}");

        JsonNode j = json(f.run("executions", "show", Long.toString(id), "--json"));

        assertThat(j.get("id").asLong()).isEqualTo(id);
        assertThat(j.get("nodes")).hasSize(6);
        assertThat(j.get("nodes").get(0).get("node_id").asString()).isEqualTo("validate");
        assertThat(j.get("nodes").get(0).get("status").asString()).isEqualTo("pending");
        assertThat(j.get("nodes").get(0).get("action").asString()).isEqualTo("transform");
        assertThat(j.get("history")).isEmpty();
        assertThat(j.get("explanation").get("reason").asString()).isEqualTo("no_live_worker");
    }

    @Test
    void unknownIdsExitThreeWithAClearMessage() {
        for (String cmd : List.of("show", "retry", "cancel", "explain")) {
            CliRun r = f.run("executions", cmd, "4242");
            assertThat(r.exitCode()).as(cmd).isEqualTo(ExitCode.NOT_FOUND);
            assertThat(r.err()).as(cmd).startsWith("nebula-worker: no execution with id 4242");
            assertThat(r.out()).as(cmd).isEmpty();
        }
        assertThat(f.run("executions", "show", "abc").exitCode()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void retryRequeuesAFailedExecutionAndRefusesOthers() {
        long id = submit("hello.json");
        CliRun early = f.run("executions", "retry", Long.toString(id));
        assertThat(early.exitCode()).isEqualTo(ExitCode.CONFLICT);
        assertThat(early.err()).contains("is available; only failed or cancelled executions can be retried");

        failNext();
        CliRun r = f.run("executions", "retry", Long.toString(id), "--from-scratch");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("execution " + id + " is queued again, from scratch\n");
        assertThat(f.store().executionGet(id).orElseThrow().state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(f.store().nodeResultList(id)).isEmpty();

        failNext();
        JsonNode j = json(f.run("executions", "retry", Long.toString(id), "--json"));
        assertThat(j.get("result").asString()).isEqualTo("requeued");
        assertThat(j.get("from_scratch").asBoolean()).isFalse();
    }

    @Test
    void retryWithAStateRequeuesEveryMatchNewestFirstUpToItsLimit() {
        long a = submit("hello.json");
        long b = submit("hello.json", "--force");
        long c = submit("hello.json", "--force");
        long waiting = submit("hello.json", "--force");
        failNext();
        failNext();
        failNext();

        CliRun dry = f.run("executions", "retry", "--state", "failed", "--dry-run");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out()).isEqualTo("3 failed executions match; nothing was changed\n");
        assertThat(f.store().executionGet(c).orElseThrow().state()).isEqualTo(ExecutionState.FAILED);

        CliRun two = f.run("executions", "retry", "--state", "failed", "--limit", "2", "--from", "1h");
        assertThat(two.exitCode()).as(two.err()).isZero();
        assertThat(two.out())
                .isEqualTo("2 of 2 failed executions queued again; nodes that succeeded are kept; more may match:"
                        + " run it again, or raise --limit\n");
        assertThat(List.of(a, b, c, waiting))
                .extracting(id -> f.store().executionGet(id).orElseThrow().state())
                .containsExactly(
                        ExecutionState.FAILED,
                        ExecutionState.AVAILABLE,
                        ExecutionState.AVAILABLE,
                        ExecutionState.AVAILABLE);

        assertThat(f.run("executions", "retry", "--state", "failed", "--workflow", "other")
                        .out())
                .startsWith("0 of 0 failed executions queued again");
        JsonNode rest = json(f.run("executions", "retry", "--state", "failed", "--from-scratch", "--json"));
        assertThat(rest.get("matched").asInt()).isEqualTo(1);
        assertThat(rest.get("requeued").asInt()).isEqualTo(1);
        assertThat(rest.get("more").asBoolean()).isFalse();
        assertThat(f.store().executionGet(a).orElseThrow().state()).isEqualTo(ExecutionState.AVAILABLE);

        for (List<String> bad : List.of(
                List.of("executions", "retry"),
                List.of("executions", "retry", Long.toString(a), "--state", "failed"),
                List.of("executions", "retry", Long.toString(a), "--queue", "default"),
                List.of("executions", "retry", Long.toString(a), "--limit", "5"),
                List.of("executions", "retry", "--state", "failed", "--from", "P999999999D"),
                List.of("executions", "retry", "--state", "running"),
                List.of("executions", "retry", "--state", "failed", "--limit", "0"),
                List.of("executions", "retry", "--state", "failed", "--from", "yesterday"))) {
            CliRun r = f.run(bad.toArray(String[]::new));
            assertThat(r.exitCode()).as(bad.toString()).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).as(bad.toString()).startsWith("nebula-worker: ");
        }
        assertThat(f.run("executions", "retry", "--state", "failed", "--from", "yesterday")
                        .err())
                .contains("--from: 'yesterday' is not a time");
        assertThat(f.run("executions", "retry", "--state", "failed", "--from", "P999999999D")
                        .err())
                .contains("--from: 'P999999999D' is outside the years 1 to 9999");
    }

    @Test
    void aBulkRetryTheDatabaseStopsPartWaySaysHowManyItQueuedAndFails() throws Exception {
        long refused = submit("hello.json");
        long b = submit("hello.json", "--force");
        long c = submit("hello.json", "--force");
        failNext();
        failNext();
        failNext();
        // The database refuses the oldest execution's retry; newest first, the other two go through.
        try (java.sql.Connection conn = java.sql.DriverManager.getConnection("jdbc:sqlite:" + f.db);
                java.sql.Statement st = conn.createStatement()) {
            st.execute("CREATE TRIGGER refuse_retry BEFORE UPDATE ON executions WHEN OLD.id = " + refused
                    + " BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
        }

        CliRun r = f.run("executions", "retry", "--state", "failed");
        assertThat(r.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(r.err())
                .startsWith("nebula-worker: the database failed after 2 failed executions were queued again: ")
                .endsWith("; run the same command again to retry the rest\n");
        assertThat(List.of(refused, b, c))
                .extracting(id -> f.store().executionGet(id).orElseThrow().state())
                .containsExactly(ExecutionState.FAILED, ExecutionState.AVAILABLE, ExecutionState.AVAILABLE);

        failNext();
        failNext();
        CliRun j = f.run("executions", "retry", "--state", "failed", "--json");
        assertThat(j.exitCode()).isEqualTo(ExitCode.FAILURE);
        JsonNode done = json(j);
        assertThat(done.get("requeued").asInt()).isEqualTo(2);
        assertThat(done.get("more").asBoolean()).isTrue();
        assertThat(done.get("stopped").asString()).isNotBlank();

        CliRun none = f.run("executions", "retry", "--state", "failed");
        assertThat(none.exitCode()).as("nothing was queued: the plain error").isEqualTo(ExitCode.FAILURE);
        assertThat(none.err()).doesNotContain("queued again");
    }

    @Test
    void cancelEndsAWaitingExecutionAndRefusesAFinishedOne() {
        long id = submit("hello.json");

        CliRun r = f.run("executions", "cancel", Long.toString(id), "--reason", "not needed");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("execution " + id + " is cancelled\n");
        assertThat(f.store().executionGet(id).orElseThrow().state()).isEqualTo(ExecutionState.CANCELLED);
        assertThat(f.run("executions", "explain", Long.toString(id)).out()).contains("not needed");

        CliRun again = f.run("executions", "cancel", Long.toString(id), "--json");
        assertThat(again.exitCode()).isEqualTo(ExitCode.CONFLICT);
        assertThat(again.err()).contains("already finished (cancelled)");
    }

    @Test
    void cancelOfARunningExecutionIsARequest() {
        long id = submit("hello.json");
        f.store().executionClaim(new ClaimRequest("w1", List.of("default"), 1, Duration.ofMinutes(5)));

        JsonNode j = json(f.run("executions", "cancel", Long.toString(id), "--json"));

        assertThat(j.get("result").asString()).isEqualTo("requested");
        assertThat(j.get("state").asString()).isEqualTo("running");
    }

    @Test
    void explainPrintsTheReasonInWordsAndAsJson() {
        long id = submit("hello.json");
        f.run("queues", "pause", "default");

        CliRun r = f.run("executions", "explain", Long.toString(id));

        assertThat(r.exitCode()).isZero();
        assertThat(r.out())
                .isEqualTo("execution " + id + " (hello): available [queue_paused]\n"
                        + "Queue 'default' is paused, so no worker claims from it.\n"
                        + "Next step: `nebula-worker queues resume default` lets workers claim from it again.\n");
        JsonNode j = json(f.run("executions", "explain", Long.toString(id), "--json"));
        assertThat(j.get("reason").asString()).isEqualTo("queue_paused");
        assertThat(j.get("summary").asString()).contains("paused");
        assertThat(j.get("notes").isArray()).isTrue();
        assertThat(j.get("hint").asString()).contains("queues resume default");
        assertThat(j.get("checked_at").asString()).endsWith("Z");
    }

    @Test
    void explainOfAnExecutionRunningOnALiveWorker() throws Exception {
        f.startWorker();
        long id = submit("long-delay.json");
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() ->
                        f.run("executions", "explain", Long.toString(id)).out().contains("[durable_wait]"));

        assertThat(f.run("executions", "explain", Long.toString(id)).out())
                .contains("Waiting for a durable delay until");
    }
}
