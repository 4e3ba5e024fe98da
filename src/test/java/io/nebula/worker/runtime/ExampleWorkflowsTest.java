package io.nebula.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.workflow.LoadedWorkflow;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every shipped example loads, validates and runs to the output its description promises. */
class ExampleWorkflowsTest {
    private final RuntimeKit kit = new RuntimeKit();

    @Test
    void everyExampleFileLoadsAndValidates() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(RuntimeKit.example(""))) {
            // Schedule files (*.schedules.yaml) sit next to the workflows they fire.
            files = s.filter(p -> !p.getFileName().toString().contains(".schedules."))
                    .sorted()
                    .toList();
        }
        assertThat(files)
                .extracting(p -> p.getFileName().toString())
                .contains(
                        "hello.json",
                        "order-pipeline.yaml",
                        "flaky-retry.json",
                        "long-delay.json",
                        "http-call.json",
                        "approval.yaml",
                        "nightly-report.yaml",
                        "notify-all.yaml");
        for (Path f : files) {
            LoadedWorkflow w = kit.workflows.load(f);
            assertThat(w.hash()).hasSize(64);
            assertThat(kit.workflows.compile(w.canonicalJson())).isSameAs(w.workflow());
        }
    }

    @Test
    void theNightlyReportScheduleFileResolvesAndItsInputProducesTheReport() throws Exception {
        var specs = io.nebula.worker.schedule.ScheduleFile.read(RuntimeKit.example("nightly-report.schedules.yaml"));
        assertThat(specs).singleElement().satisfies(spec -> {
            assertThat(spec.name()).isEqualTo("nightly-report");
            assertThat(spec.workflow())
                    .isEqualTo(RuntimeKit.example("nightly-report.yaml")
                            .toAbsolutePath()
                            .normalize());
            assertThat(io.nebula.worker.schedule.CronSchedule.parse(spec.cron(), spec.timezone())
                            .nextAfter(java.time.Instant.parse("2026-07-01T12:00:00Z")))
                    .as("02:00 Berlin summer time")
                    .isEqualTo(java.time.Instant.parse("2026-07-02T00:00:00Z"));
        });
        var w = kit.loadExample("nightly-report.yaml");
        String input = specs.get(0).inputJson();
        assertThat(w.validateInput(input)).isEmpty();

        var o = kit.runToEnd(InMemoryAttempt.first(w.canonicalJson(), input), 1);

        assertThat(((RunOutcome.Succeeded) o).outputJson())
                .isEqualTo("{\"orders\":4,\"region\":\"emea\",\"summary\":\"4 orders in emea, 2 of them of 100 or"
                        + " more\"}");
    }

    @Test
    void theApprovalWaitsForItsSignalWithoutAStore() throws Exception {
        var w = kit.loadExample("approval.yaml");
        var o = InMemoryAttempt.first(w.canonicalJson(), "{\"request\":{\"id\":\"R-1\",\"amount\":5}}")
                .runWith(kit.runtime);

        assertThat(o).isInstanceOf(RunOutcome.AwaitingSignal.class);
        assertThat(((RunOutcome.AwaitingSignal) o).waits())
                .containsExactly(new io.nebula.worker.queue.SignalWait("approve", "approve", Duration.ofHours(1)));
    }

    @Test
    void helloNeedsNoInput() throws Exception {
        var w = kit.loadExample("hello.json");
        var o = kit.runToEnd(InMemoryAttempt.first(w.canonicalJson(), null), 1);

        assertThat(o).isEqualTo(new RunOutcome.Succeeded("{\"greeting\":\"hello, world\"}", o.unsaved()));
    }

    @Test
    void theOrderPipelineTakesTheExpressBranchAndJoins() throws Exception {
        var w = kit.loadExample("order-pipeline.yaml");
        String input = """
                {"order": {"id": "A-17", "express": true,
                  "items": [{"sku": "tea", "qty": 2, "price": 3.5}, {"sku": "cup", "qty": 12, "price": 4}]}}""";
        assertThat(w.validateInput(input)).isEmpty();

        var o = kit.runToEnd(InMemoryAttempt.first(w.canonicalJson(), input), 1);

        assertThat(((RunOutcome.Succeeded) o).outputJson())
                .isEqualTo(
                        "{\"order_id\":\"A-17\",\"payment\":\"pay-A-17\",\"shipping\":{\"days\":1,\"method\":\"express\"}}");
    }

    @Test
    void theOrderPipelineTakesTheStandardBranchForBulkOrders() throws Exception {
        var w = kit.loadExample("order-pipeline.yaml");
        String input = """
                {"order": {"id": "B-2", "express": false, "items": [{"sku": "cup", "qty": 12, "price": 4}]}}""";

        var o = kit.runToEnd(InMemoryAttempt.first(w.canonicalJson(), input), 1);

        assertThat(((RunOutcome.Succeeded) o).outputJson())
                .isEqualTo(
                        "{\"order_id\":\"B-2\",\"payment\":\"pay-B-2\",\"shipping\":{\"days\":7,\"method\":\"standard\"}}");
    }

    @Test
    void theOrderPipelineRejectsAnInputWithoutAnOrder() throws Exception {
        var w = kit.loadExample("order-pipeline.yaml");

        assertThat(w.validateInput("{\"order\": {\"id\": 5}}"))
                .containsExactly(
                        "input/order: missing required property 'items'",
                        "input/order: missing required property 'express'",
                        "input/order/id: must be string, got integer");
    }

    @Test
    void helloAcceptsAMissingInputAtSubmit() throws Exception {
        assertThat(kit.loadExample("hello.json").validateInput(null)).isEmpty();
        assertThat(kit.loadExample("order-pipeline.yaml").validateInput("not json"))
                .singleElement()
                .asString()
                .startsWith("input is not valid JSON: ");
    }

    @Test
    void flakyRetrySucceedsOnItsThirdTry() throws Exception {
        var w = kit.loadExample("flaky-retry.json");
        var o = kit.runToEnd(InMemoryAttempt.first(w.canonicalJson(), "{}"), 1);

        assertThat(((RunOutcome.Succeeded) o).outputJson()).isEqualTo("{\"result\":\"succeeded on try 3\"}");
    }

    @Test
    void longDelayReleasesTheSlotThenFinishes() throws Exception {
        var clock = Clock.fixed(java.time.Instant.parse("2030-05-01T10:00:00Z"), java.time.ZoneOffset.UTC);
        var fixed = new RuntimeKit(RuntimeOptions.defaults().withClock(clock), HttpActionOptions.defaults(), clock);
        var w = fixed.loadExample("long-delay.json");

        var o = fixed.runToEnd(InMemoryAttempt.first(w.canonicalJson(), "{}"), 3);

        assertThat(fixed.outcomes).hasSize(2);
        assertThat(((RunOutcome.Waiting) fixed.outcomes.get(0)).delay()).isEqualTo(Duration.ofSeconds(120));
        assertThat(((RunOutcome.Succeeded) o).outputJson())
                .isEqualTo("{\"result\":\"done\",\"waited_until\":\"2030-05-01T10:02:00Z\"}");
    }

    @Test
    void httpCallReportsTheStatusOfTheGivenUrl() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] body = "<p>hi</p>".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/html");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            var local = new RuntimeKit(
                    RuntimeOptions.defaults(),
                    HttpActionOptions.defaults().withAllowPrivateNetworks(true),
                    Clock.systemUTC());
            var w = local.loadExample("http-call.json");
            String input = "{\"url\": \"http://127.0.0.1:" + server.getAddress().getPort() + "/\"}";

            var o = local.runToEnd(InMemoryAttempt.first(w.canonicalJson(), input), 1);

            assertThat(((RunOutcome.Succeeded) o).outputJson())
                    .isEqualTo("{\"content_type\":\"text/html\",\"status\":200}");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void notifyAllCallsOncePerRecipientWithItsOwnKeyAndToleratesAFailure() throws Exception {
        List<String> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            keys.add(ex.getRequestHeaders().getFirst("Idempotency-Key"));
            bodies.add(body);
            int status = body.contains("nobody@") ? 404 : 202;
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.start();
        try {
            var local = new RuntimeKit(
                    RuntimeOptions.defaults(),
                    HttpActionOptions.defaults().withAllowPrivateNetworks(true),
                    Clock.systemUTC());
            var w = local.loadExample("notify-all.yaml");
            String input = "{\"url\": \"http://127.0.0.1:" + server.getAddress().getPort() + "/notify\","
                    + " \"recipients\": [{\"name\": \"Ada\", \"email\": \"ada@example.com\"},"
                    + " {\"name\": \"X\", \"email\": \"nobody@example.com\"},"
                    + " {\"name\": \"Grace\", \"email\": \"grace@example.com\"}]}";
            assertThat(w.validateInput(input)).isEmpty();

            var o = local.runToEnd(InMemoryAttempt.first(w.canonicalJson(), input), 1);

            assertThat(((RunOutcome.Succeeded) o).outputJson())
                    .isEqualTo("{\"recipients\":3,\"sent\":2,\"statuses\":[202,0,202]}");
            assertThat(keys)
                    .hasSize(3)
                    .doesNotHaveDuplicates()
                    .allSatisfy(k -> assertThat(k).matches("(.+:)?7:notify:[0-2]"));
            assertThat(bodies)
                    .anySatisfy(b -> assertThat(b).contains("Hello Grace").contains("\"position\":2"));
        } finally {
            server.stop(0);
        }
    }
}
