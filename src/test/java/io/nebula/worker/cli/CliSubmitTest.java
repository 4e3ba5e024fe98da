package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.testing.OtlpReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code submit} through the real command line against a SQLite file, with and without a worker. */
class CliSubmitTest {
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

    private List<ExecutionView> all() {
        return f.store().executionList(ExecutionFilter.all(1000));
    }

    private static JsonNode json(CliRun r) {
        return JsonViews.JSON.readTree(r.out());
    }

    @Test
    void submitPrintsTheIdAndEnqueuesWithEveryOption() {
        f.run("queues", "create", "mail");
        CliRun r = f.run(
                "submit",
                CliFixture.example("hello.json").toString(),
                "--input",
                "{\"name\":\"Ada\"}",
                "--queue",
                "mail",
                "--priority",
                "-3",
                "--delay",
                "1h30m",
                "--idempotency-key",
                "k-1");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).matches("submitted execution 1 of workflow 'hello' on queue 'mail'\\R");
        ExecutionView v = f.store().executionGet(1).orElseThrow();
        assertThat(v.queue()).isEqualTo("mail");
        assertThat(v.priority()).isEqualTo(-3);
        assertThat(v.inputJson()).contains("Ada");
        assertThat(v.idempotencyKey()).isEqualTo("k-1");
        assertThat(Duration.between(v.now(), v.runAt())).isBetween(Duration.ofMinutes(89), Duration.ofMinutes(91));

        CliRun again = f.run("submit", CliFixture.example("hello.json").toString(), "--idempotency-key", "k-1");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("execution 1 already exists for idempotency key 'k-1'");
        assertThat(all()).hasSize(1);
    }

    private static ClaimedExecution claimOne(ExecutionStore store) {
        return store.executionClaim(new ClaimRequest("cli-test", List.of("default"), 1, Duration.ofMinutes(1)))
                .get(0);
    }

    @Test
    void theTraceparentGivenIsStoredAndABadOneIsRefused() {
        String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        CliRun bad = f.run("submit", CliFixture.example("hello.json").toString(), "--traceparent", "00-xyz-01");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--traceparent '00-xyz-01' is not a W3C traceparent");
        assertThat(all()).isEmpty();

        assertThat(f.run("submit", CliFixture.example("hello.json").toString(), "--traceparent", tp)
                        .exitCode())
                .isZero();
        assertThat(claimOne(f.store()).traceparent()).isEqualTo(tp);

        assertThat(f.run("submit", CliFixture.example("hello.json").toString()).exitCode())
                .isZero();
        assertThat(claimOne(f.store()).traceparent())
                .as("a new trace")
                .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01")
                .doesNotContain("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void withAnEndpointTheSubmitSpanIsExportedAndItsContextStored() throws Exception {
        Files.createDirectories(tmp.resolve("traced"));
        try (OtlpReceiver receiver = new OtlpReceiver();
                CliFixture traced = new CliFixture(
                                tmp.resolve("traced"),
                                java.util.Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()))
                        .migrated()) {
            CliRun r = traced.run(
                    "submit",
                    CliFixture.example("hello.json").toString(),
                    "--traceparent",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            assertThat(r.exitCode()).as(r.err()).isZero();

            // Exported before the command returned.
            assertThat(receiver.spans()).singleElement().satisfies(span -> {
                assertThat(span.name()).isEqualTo("submit hello");
                assertThat(span.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
                assertThat(span.parentSpanId()).isEqualTo("00f067aa0ba902b7");
                assertThat(claimOne(traced.store()).traceparent())
                        .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-" + span.spanId() + "-01");
            });
        }
    }

    @Test
    void jsonOutputHasStableFields() {
        CliRun r = f.run(
                "submit", CliFixture.example("hello.json").toString(), "--run-at", "2099-01-01T00:00:00Z", "--json");

        assertThat(r.exitCode()).isZero();
        JsonNode j = json(r);
        assertThat(j.get("id").asLong()).isEqualTo(1);
        assertThat(j.get("created").asBoolean()).isTrue();
        assertThat(j.get("workflow").asString()).isEqualTo("hello");
        assertThat(j.get("queue").asString()).isEqualTo("default");
        assertThat(j.get("workflow_hash").asString()).hasSize(64);
        assertThat(f.store().executionGet(1).orElseThrow().runAt()).isEqualTo("2099-01-01T00:00:00Z");
    }

    @Test
    void inputFromAFileIsReadAsStrictUtf8() throws Exception {
        Path good = tmp.resolve("in.json");
        Files.writeString(good, "{\"name\":\"Zoë\"}");
        assertThat(f.run("submit", CliFixture.example("hello.json").toString(), "--input", "@" + good)
                        .exitCode())
                .isZero();
        assertThat(f.store().executionGet(1).orElseThrow().inputJson()).contains("Zoë");

        Path bad = tmp.resolve("bad.json");
        Files.write(bad, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '(', '"', '}'});
        CliRun r = f.run("submit", CliFixture.example("hello.json").toString(), "--input", "@" + bad);

        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(r.err()).contains("not valid UTF-8").contains("offset 6").contains("nothing was enqueued");
        assertThat(all()).hasSize(1);
    }

    @Test
    void anInvalidWorkflowPrintsEveryProblemAndEnqueuesNothing() throws Exception {
        Path bad = tmp.resolve("bad.json");
        Files.writeString(
                bad,
                "{\"name\":\"bad\",\"nodes\":[\n{\"id\":\"a\",\"action\":\"teleport\"},\n"
                        + "{\"id\":\"b\",\"action\":\"noop\",\"depends_on\":[\"zz\"]}]}");

        CliRun r = f.run("submit", bad.toString());

        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(r.err())
                .contains("bad.json is not a valid workflow (2 problems); nothing was enqueued")
                .contains("bad.json:2:")
                .contains("unknown action 'teleport'")
                .contains("depends on unknown node 'zz'");
        assertThat(r.out()).isEmpty();
        assertThat(all()).isEmpty();
    }

    @Test
    void anInputThatBreaksTheSchemaOrIsNotJsonEnqueuesNothing() {
        CliRun schema =
                f.run("submit", CliFixture.example("order-pipeline.yaml").toString(), "--input", "{}");
        CliRun notJson = f.run("submit", CliFixture.example("hello.json").toString(), "--input", "{nope");
        CliRun nul = f.run("submit", CliFixture.example("hello.json").toString(), "--input", "{\"a\":\"\\u0000\"}");

        assertThat(schema.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(schema.err())
                .contains("does not match the input schema of 'order-pipeline'")
                .contains("order");
        assertThat(notJson.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(notJson.err()).contains("not valid JSON at line 1");
        assertThat(nul.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(nul.err()).contains("NUL");
        assertThat(all()).isEmpty();
    }

    @Test
    void badFlagsAreUsageErrors() {
        String hello = CliFixture.example("hello.json").toString();
        assertThat(f.run("submit", hello, "--delay", "soon").exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(f.run("submit", hello, "--delay", "soon").err()).contains("'soon' is not a duration");
        assertThat(f.run("submit", hello, "--run-at", "2030-01-01T00:00").err()).contains("with a zone");
        assertThat(f.run("submit", hello, "--delay", "1m", "--run-at", "2030-01-01T00:00:00Z")
                        .exitCode())
                .isEqualTo(ExitCode.USAGE);
        assertThat(f.run("submit", hello, "--input", "{}", "--inputs", "x.jsonl")
                        .exitCode())
                .isEqualTo(ExitCode.USAGE);
        assertThat(f.run("submit", "missing.json").err()).contains("cannot read missing.json: no such file");
        assertThat(all()).isEmpty();
    }

    @Test
    void bulkInputsAreSubmittedInBatchesWithPerLineKeys() throws Exception {
        Path lines = tmp.resolve("in.jsonl");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            b.append("{\"name\":\"n").append(i).append("\"}\n");
            if (i == 10) {
                b.append("\n");
            }
        }
        Files.writeString(lines, b);

        CliRun r = f.run(
                "submit",
                CliFixture.example("hello.json").toString(),
                "--inputs",
                lines.toString(),
                "--batch-size",
                "10",
                "--idempotency-key",
                "load",
                "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = json(r);
        assertThat(j.get("submitted").asInt()).isEqualTo(25);
        assertThat(j.get("created").asInt()).isEqualTo(25);
        assertThat(j.get("batches").asInt()).isEqualTo(3);
        assertThat(j.get("ids")).hasSize(25);
        assertThat(all()).hasSize(25);
        assertThat(f.store().executionGet(12).orElseThrow().idempotencyKey()).isEqualTo("load#13");

        CliRun again = f.run(
                "submit",
                CliFixture.example("hello.json").toString(),
                "--inputs",
                lines.toString(),
                "--idempotency-key",
                "load");
        assertThat(again.out()).contains("submitted 25 executions").contains("25 already existed");
        assertThat(all()).hasSize(25);
    }

    @Test
    void aBadLineAnywhereEnqueuesNothingAndNamesTheLine() throws Exception {
        Path lines = tmp.resolve("in.jsonl");
        byte[] good = "{\"order\":{\"id\":\"1\",\"express\":true,\"items\":[]}}\n".getBytes();
        byte[] invalidUtf8 = {'{', '"', 'a', (byte) 0xFF, '"', ':', '1', '}', '\n'};
        try (var out = Files.newOutputStream(lines)) {
            for (int i = 0; i < 30; i++) {
                out.write(good);
            }
            out.write("{\"order\":1}\n".getBytes());
            out.write(invalidUtf8);
            out.write("{oops\n".getBytes());
        }

        CliRun r = f.run(
                "submit",
                CliFixture.example("order-pipeline.yaml").toString(),
                "--inputs",
                lines.toString(),
                "--batch-size",
                "10");

        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
        long lineStart = 30L * good.length + "{\"order\":1}\n".length();
        assertThat(r.err())
                .contains("in.jsonl has invalid inputs; nothing was enqueued")
                .contains("in.jsonl line 31: does not match the input schema")
                .contains("in.jsonl line 32: not valid UTF-8 (invalid byte at offset " + (lineStart + 3)
                        + " of the file, byte 4 of the line)")
                .contains("in.jsonl line 33: input is not valid JSON");
        assertThat(all()).isEmpty();
    }

    @Test
    void anOversizedLineOrInputFileIsRefusedByLineWithoutBeingLoaded() throws Exception {
        Path config = tmp.resolve("small.toml");
        Files.writeString(config, "[queue]\nmax_input_bytes = 1024\n");
        Path lines = tmp.resolve("big.jsonl");
        String good = "{\"name\":\"Ada\"}\n";
        Files.writeString(lines, good + "{\"name\":\"" + "x".repeat(3_000_000) + "\"}\n" + good);
        Path file = tmp.resolve("big.json");
        Files.writeString(file, "{\"name\":\"" + "y".repeat(5_000) + "\"}");

        CliRun many = f.run(
                "--config",
                config.toString(),
                "submit",
                CliFixture.example("hello.json").toString(),
                "--inputs",
                lines.toString());
        CliRun one = f.run(
                "--config",
                config.toString(),
                "submit",
                CliFixture.example("hello.json").toString(),
                "--input",
                "@" + file);

        assertThat(many.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(many.err())
                .contains("big.jsonl line 2: input is larger than 1024 bytes (queue.max_input_bytes)")
                .doesNotContain("line 1:")
                .doesNotContain("line 3:");
        assertThat(one.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(one.err())
                .contains("input file " + file + " is larger than 1024 bytes (queue.max_input_bytes); nothing was"
                        + " enqueued");
        assertThat(all()).isEmpty();
    }

    @Test
    void waitFollowsNodeByNodeAndPrintsTheOutput() throws Exception {
        f.startWorker();

        CliRun r = f.run(
                "submit",
                CliFixture.example("order-pipeline.yaml").toString(),
                "--wait",
                "--input",
                "{\"order\":{\"id\":\"A-1\",\"express\":false,\"items\":[{\"sku\":\"s\",\"qty\":1,\"price\":2}]}}");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("submitted execution 1 of workflow 'order-pipeline'")
                .contains("execution 1: claimed by ")
                .contains("execution 1: node validate (transform) succeeded")
                .contains("execution 1: node ship_express (transform) skipped")
                .contains("execution 1: succeeded in")
                .contains("output:")
                .contains("\"order_id\" : \"A-1\"")
                .doesNotContain("\r");
        assertThat(r.out().indexOf("node validate")).isLessThan(r.out().indexOf("node notify"));
    }

    @Test
    void waitShowsANodeThatSucceededOnItsSecondTryWithTheFailedOnesError() throws Exception {
        f.startWorker();
        Path flaky = tmp.resolve("flaky-node.json");
        Files.writeString(flaky, """
                {"name": "flaky-node", "nodes": [{"id": "reserve", "action": "fail",
                  "params": {"message": "HTTP 503", "retryable": true, "times": 1, "per_node_try": true},
                  "retry": {"attempts": 2, "backoff_ms": 10}}]}""");

        CliRun r = f.run("submit", flaky.toString(), "--wait", "--progress", "plain");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .containsPattern("node reserve \\(fail\\) succeeded in \\S+ on try 2 \\(try 1 failed: HTTP 503\\)");
    }

    @Test
    void waitExitsSixWhenTheExecutionFailsAndJsonCarriesTheError() throws Exception {
        f.startWorker();
        Path failing = tmp.resolve("fails.json");
        Files.writeString(
                failing,
                "{\"name\":\"fails\",\"nodes\":[{\"id\":\"boom\",\"action\":\"fail\",\"params\":{\"message\":\"no way\"}}]}");

        CliRun r = f.run("submit", failing.toString(), "--wait", "--json");

        assertThat(r.exitCode()).isEqualTo(ExitCode.EXECUTION_FAILED);
        JsonNode j = json(r);
        assertThat(j.get("state").asString()).isEqualTo("failed");
        assertThat(j.get("error").asString()).contains("no way");
        assertThat(j.get("timed_out").asBoolean()).isFalse();
    }

    @Test
    void waitExitsSevenWhenTheExecutionIsCancelled() throws Exception {
        f.startWorker();
        Path slow = tmp.resolve("slow.json");
        Files.writeString(
                slow,
                "{\"name\":\"slow\",\"nodes\":[{\"id\":\"nap\",\"action\":\"delay\",\"params\":{\"seconds\":1}},"
                        + "{\"id\":\"after\",\"action\":\"noop\",\"depends_on\":[\"nap\"]}]}");
        Thread canceller = Thread.ofVirtual().start(() -> {
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> f.store()
                            .executionGet(1)
                            .map(v -> v.state() == ExecutionState.RUNNING)
                            .orElse(false));
            f.run("executions", "cancel", "1", "--reason", "customer called");
        });

        CliRun r = f.run("submit", slow.toString(), "--wait", "--progress", "plain");
        canceller.join();

        assertThat(r.exitCode()).as(r.out()).isEqualTo(ExitCode.EXECUTION_CANCELLED);
        assertThat(r.out())
                .containsPattern("execution 1: cancel requested by \\S+@\\S+: customer called")
                .contains("execution 1: cancelled: customer called");
    }

    @Test
    void waitWithATimeoutAndNoWorkerExitsEightAndSaysHowToFollowUp() {
        CliRun r = f.run("submit", CliFixture.example("hello.json").toString(), "--wait", "--timeout", "300ms");

        assertThat(r.exitCode()).isEqualTo(ExitCode.TIMED_OUT);
        assertThat(r.out()).contains("still available after 300ms").contains("executions explain 1");
    }

    @Test
    void liveProgressRedrawsOneStatusLine() {
        CliRun r = f.run(
                "submit",
                CliFixture.example("hello.json").toString(),
                "--wait",
                "--timeout",
                "400ms",
                "--progress",
                "live");

        assertThat(r.exitCode()).isEqualTo(ExitCode.TIMED_OUT);
        assertThat(r.out()).contains("\r\033[2Kexecution 1: queued");
    }

    @Test
    void aWorkflowReadingASecretThisConfigurationCannotResolveIsRefusedUnlessForced() {
        String example = CliFixture.example("payment-with-secret.yaml").toString();
        String input = "{\"url\": \"https://payments.example/r\", \"order_id\": \"o-1\", \"amount\": 1}";

        CliRun refused = f.run("submit", example, "--input", input);
        assertThat(refused.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(refused.err())
                .contains("workflow 'payment-with-secret' reads secrets that this configuration cannot resolve")
                .contains("node 'reserve': secret 'PAYMENT_TOKEN' is not set: looked for environment variable"
                        + " NEBULA_SECRET_PAYMENT_TOKEN")
                .contains("--force");
        assertThat(all()).isEmpty();

        java.util.Map<String, String> env = new java.util.HashMap<>(f.env);
        env.put("NEBULA_SECRET_PAYMENT_TOKEN", "a-token-the-workers-have");
        CliRun resolvable = CliRun.of(env, "submit", example, "--input", input);
        assertThat(resolvable.exitCode()).as(resolvable.err()).isZero();

        CliRun forced = f.run("submit", example, "--input", input, "--force");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(all()).hasSize(2);
        assertThat(f.store().executionList(ExecutionFilter.all(10)).toString())
                .doesNotContain("a-token-the-workers-have");
    }
}
