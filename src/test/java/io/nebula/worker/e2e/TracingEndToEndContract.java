package io.nebula.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import io.nebula.worker.app.NebulaWorker;
import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.http.HealthServer;
import io.nebula.worker.observe.PrometheusMetrics;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.testing.OtlpReceiver;
import io.nebula.worker.testing.OtlpReceiver.ReceivedSpan;
import io.nebula.worker.testing.PrometheusText;
import io.nebula.worker.testing.Terminal;
import io.nebula.worker.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry traces with a real worker on a real store, exported to a real OTLP/HTTP receiver
 * started here: one trace from the submitter's span through every attempt, node try and HTTP call
 * (whose server receives the trace context), and a collector that is down costs the executions
 * nothing but the spans, which are counted.
 */
abstract class TracingEndToEndContract extends EndToEndContract {
    /** The submitter's span: the whole execution is one trace below it. */
    static final String SUBMITTER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    static final String SUBMITTER_SPAN = "00f067aa0ba902b7";
    static final String TRACEPARENT = "00-" + SUBMITTER_TRACE + "-" + SUBMITTER_SPAN + "-01";

    /**
     * Three nodes; the HTTP call fails twice with a 503, so its node retries within the first
     * attempt, the attempt fails as retryable, and the second attempt (reusing the first node's
     * checkpoint) succeeds.
     */
    static final String WORKFLOW = """
            {
              "name": "traced",
              "max_retries": 1,
              "nodes": [
                { "id": "prepare", "action": "transform", "params": { "value": "ready" } },
                { "id": "call", "action": "http.request", "depends_on": ["prepare"],
                  "params": { "method": "GET", "url": "${{ input.url }}", "timeout_seconds": 5 },
                  "retry": { "attempts": 2, "backoff_ms": 20 } },
                { "id": "report", "action": "transform", "depends_on": ["call"],
                  "params": { "value": "${{ nodes.call.output.status }}" } }
              ],
              "output": { "status": "${{ nodes.report.output }}" }
            }
            """;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private NebulaWorker started(WorkerConfig c) {
        return started(c, WorkerListener.NONE);
    }

    private NebulaWorker started(WorkerConfig c, WorkerListener listener) {
        NebulaWorker w = NebulaWorker.builder()
                .config(c)
                .workerId("traced-worker")
                .listener(listener)
                .build();
        closing.add(w);
        w.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> w.worker().readiness().snapshot().ready());
        return w;
    }

    /** A worker whose metrics are served on a health port of its own, as {@code worker} does. */
    private record Scraped(NebulaWorker worker, HealthServer health) {}

    private Scraped startedWithMetrics(WorkerConfig c) throws Exception {
        PrometheusMetrics metrics = new PrometheusMetrics(() -> 0, 4, Map::of, List.of("default"));
        NebulaWorker w = started(c, metrics);
        metrics.tracing(w.tracing());
        HealthServer health = new HealthServer("127.0.0.1", 0, w.worker(), metrics);
        closing.add(health);
        health.start();
        return new Scraped(w, health);
    }

    private static HttpResponse<String> scrape(HealthServer health, String accept) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + "/metrics"));
        if (accept != null) {
            request.header("Accept", accept);
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return r;
        }
    }

    /** What Prometheus sends when its exemplar storage is on (and native histograms are off). */
    static final String PROMETHEUS_ACCEPT =
            "application/openmetrics-text;version=1.0.0;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private static final Pattern EXEMPLAR = Pattern.compile("^(\\w+)_bucket\\{[^}]*} \\S+ # \\{([^}]*)}.*$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** The exemplars of an OpenMetrics exposition: histogram name, then each exemplar's labels. */
    static Map<String, List<Map<String, String>>> exemplars(String openMetrics) {
        Map<String, List<Map<String, String>>> out = new java.util.TreeMap<>();
        for (String line : openMetrics.split("\n")) {
            Matcher m = EXEMPLAR.matcher(line);
            if (m.matches()) {
                Map<String, String> labels = new java.util.TreeMap<>();
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
                out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(labels);
            }
        }
        return out;
    }

    private ExecutionView run(NebulaWorker w, String inputJson, SubmitOptions options) throws Exception {
        Path file = tmp.resolve("traced.json");
        Files.writeString(file, WORKFLOW);
        WorkflowClient client = w.client();
        Submitted s = client.submit(client.load(file), inputJson, options);
        ExecutionView v = Terminal.await(client.store(), s.executionId(), Duration.ofSeconds(60));
        assertThat(v.state()).as(v.toString()).isEqualTo(ExecutionState.SUCCEEDED);
        return v;
    }

    /** A server answering 503 to its first {@code failures} requests, then 200; keeps each traceparent. */
    private HttpServer downstream(int failures, List<String> traceparents) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger seen = new AtomicInteger();
        server.createContext("/", exchange -> {
            try (exchange) {
                traceparents.add(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
                byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(seen.incrementAndGet() <= failures ? 503 : 200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        closing.add(() -> server.stop(0));
        return server;
    }

    private static List<ReceivedSpan> named(List<ReceivedSpan> spans, String name) {
        return spans.stream().filter(s -> s.name().equals(name)).toList();
    }

    private static ReceivedSpan byId(List<ReceivedSpan> spans, String id) {
        return spans.stream().filter(s -> s.spanId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void oneTraceRunsFromTheSubmitterThroughEveryAttemptNodeTryAndHttpCall() throws Exception {
        OtlpReceiver receiver = new OtlpReceiver();
        closing.add(receiver);
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer server = downstream(2, received);
        Scraped scraped =
                startedWithMetrics(TestConfigs.withOtel(config(), receiver.endpoint(), Duration.ofSeconds(5)));
        NebulaWorker w = scraped.worker();
        Logger actionLog = (Logger) LoggerFactory.getLogger("io.nebula.worker.action.http.request");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Level level = actionLog.getLevel();
        actionLog.setLevel(Level.INFO);
        actionLog.addAppender(logged);
        closing.add(() -> {
            actionLog.detachAppender(logged);
            actionLog.setLevel(level);
        });

        ExecutionView v = run(
                w,
                "{\"url\":\"http://127.0.0.1:" + server.getAddress().getPort() + "/hook\"}",
                SubmitOptions.defaults().traceparent(TRACEPARENT));
        assertThat(v.attempt()).isEqualTo(2);

        // submit, 2 attempts, 5 node tries (prepare, call twice; call, report), 3 HTTP calls
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.spans().size() >= 11);
        List<ReceivedSpan> spans = receiver.spans();
        assertThat(spans).hasSize(11).allSatisfy(s -> assertThat(s.traceId()).isEqualTo(SUBMITTER_TRACE));
        assertThat(spans.get(0).resource())
                .containsEntry("service.name", "nebula-worker-test")
                .containsEntry("deployment.environment", "test")
                .containsEntry("service.instance.id", "traced-worker");

        ReceivedSpan submit = named(spans, "submit traced").get(0);
        assertThat(submit.parentSpanId()).isEqualTo(SUBMITTER_SPAN);
        assertThat(submit.kind()).isEqualTo("SPAN_KIND_PRODUCER");

        List<ReceivedSpan> attempts = named(spans, "execution traced").stream()
                .sorted(java.util.Comparator.comparingLong(s -> (Long) s.attr("nebula.attempt")))
                .toList();
        assertThat(attempts).hasSize(2);
        String hash = v.workflowHash();
        for (int i = 0; i < 2; i++) {
            ReceivedSpan a = attempts.get(i);
            assertThat(a.parentSpanId())
                    .as("attempt %d continues the submit", i + 1)
                    .isEqualTo(submit.spanId());
            assertThat(a.kind()).isEqualTo("SPAN_KIND_CONSUMER");
            assertThat(a.attributes())
                    .containsEntry("nebula.execution.id", v.id())
                    .containsEntry("nebula.workflow.name", "traced")
                    .containsEntry("nebula.workflow.hash", hash)
                    .containsEntry("nebula.attempt", (long) (i + 1))
                    .containsEntry("nebula.worker.id", "traced-worker");
        }
        // The second attempt links to the first, saying why the execution came back.
        assertThat(attempts.get(0).links()).isEmpty();
        assertThat(attempts.get(1).links()).singleElement().satisfies(l -> {
            assertThat(l.traceId()).isEqualTo(SUBMITTER_TRACE);
            assertThat(l.spanId()).isEqualTo(attempts.get(0).spanId());
            assertThat(l.attributes())
                    .containsEntry("nebula.link.reason", "retry")
                    .containsEntry("nebula.attempt", 1L)
                    .containsEntry("nebula.lease_epoch", 1L)
                    .containsEntry("nebula.worker.id", "traced-worker");
        });
        assertThat(attempts.get(0).attr("nebula.outcome")).isEqualTo("retry_scheduled");
        assertThat(attempts.get(0).error()).isTrue();
        assertThat(attempts.get(1).attr("nebula.outcome")).isEqualTo("succeeded");
        assertThat(attempts.get(1).error()).isFalse();

        // Node tries, each under its attempt, in the order they ran.
        List<String> tries = spans.stream()
                .filter(s -> s.name().startsWith("node "))
                .map(s -> attempts.indexOf(byId(spans, s.parentSpanId())) + 1 + ":" + s.attr("nebula.node.id") + "#"
                        + s.attr("nebula.node.try") + "=" + s.attr("nebula.node.status"))
                .sorted()
                .toList();
        assertThat(tries)
                .containsExactly(
                        "1:call#1=retrying",
                        "1:call#2=failed",
                        "1:prepare#1=succeeded",
                        "2:call#1=succeeded",
                        "2:report#1=succeeded");
        assertThat(named(spans, "node call"))
                .allSatisfy(s -> assertThat(s.attributes())
                        .containsEntry("nebula.execution.id", v.id())
                        .containsEntry("nebula.node.action", "http.request"));

        // Each HTTP call is a client span under its node try, and its server got that span's context.
        List<ReceivedSpan> calls = named(spans, "GET");
        assertThat(calls).hasSize(3).allSatisfy(c -> {
            assertThat(c.kind()).isEqualTo("SPAN_KIND_CLIENT");
            assertThat(byId(spans, c.parentSpanId()).name()).isEqualTo("node call");
        });
        assertThat(calls.stream().map(c -> c.attr("http.response.status_code")))
                .containsExactlyInAnyOrder(503L, 503L, 200L);
        assertThat(received)
                .containsExactlyInAnyOrderElementsOf(calls.stream()
                        .map(c -> "00-" + SUBMITTER_TRACE + "-" + c.spanId() + "-01")
                        .toList());
        assertThat(w.tracing().droppedSpans()).isZero();

        // The node's log line about its failed try carries that try's span.
        ReceivedSpan retried = named(spans, "node call").stream()
                .filter(s -> "retrying".equals(s.attr("nebula.node.status")))
                .findFirst()
                .orElseThrow();
        assertThat(logged.list)
                .filteredOn(e -> e.getFormattedMessage().startsWith("node try failed, retrying"))
                .singleElement()
                .satisfies(e -> assertThat(e.getMDCPropertyMap())
                        .containsEntry("trace_id", SUBMITTER_TRACE)
                        .containsEntry("span_id", retried.spanId()));

        // A scrape asking for OpenMetrics finds the spans of this trace as the histograms' exemplars.
        List<String> attemptIds = attempts.stream().map(ReceivedSpan::spanId).toList();
        List<String> nodeIds = spans.stream()
                .filter(s -> s.name().startsWith("node "))
                .map(ReceivedSpan::spanId)
                .toList();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> exemplars(
                                scrape(scraped.health(), PROMETHEUS_ACCEPT).body())
                        .containsKey("worker_job_duration_seconds"));
        HttpResponse<String> open = scrape(scraped.health(), PROMETHEUS_ACCEPT);
        assertThat(open.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
        assertThat(open.body()).endsWith("# EOF\n");
        Map<String, List<Map<String, String>>> found = exemplars(open.body());
        assertThat(found)
                .containsOnlyKeys(
                        "worker_job_duration_seconds", "worker_node_duration_seconds", "worker_queue_wait_seconds");
        found.values()
                .forEach(list -> assertThat(list)
                        .allSatisfy(e -> assertThat(e)
                                .containsOnlyKeys("trace_id", "span_id")
                                .containsEntry("trace_id", SUBMITTER_TRACE)));
        assertThat(found.get("worker_job_duration_seconds"))
                .allSatisfy(e -> assertThat(attemptIds).contains(e.get("span_id")));
        assertThat(found.get("worker_queue_wait_seconds"))
                .allSatisfy(e -> assertThat(attemptIds).contains(e.get("span_id")));
        assertThat(found.get("worker_node_duration_seconds"))
                .allSatisfy(e -> assertThat(nodeIds).contains(e.get("span_id")));
        // Without that Accept header the scrape stays in the Prometheus text format, without exemplars.
        HttpResponse<String> plain = scrape(scraped.health(), null);
        assertThat(plain.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(plain.body()).doesNotContain("# {").doesNotContain("# EOF");
        assertThat(PrometheusText.parse(plain.body())
                        .get("worker_job_duration_seconds")
                        .value("worker_job_duration_seconds_count", Map.of()))
                .hasValue(2.0);
    }

    @Test
    void withTracingOffAnOpenMetricsScrapeHasNoExemplarsAndTheTextFormatIsUnchanged() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer server = downstream(0, received);
        Scraped scraped = startedWithMetrics(config());
        assertThat(scraped.worker().tracing().enabled()).isFalse();

        run(
                scraped.worker(),
                "{\"url\":\"http://127.0.0.1:" + server.getAddress().getPort() + "/\"}",
                SubmitOptions.defaults());

        await().atMost(Duration.ofSeconds(10))
                .until(() -> scrape(scraped.health(), PROMETHEUS_ACCEPT)
                        .body()
                        .contains("worker_job_duration_seconds_count 1"));
        HttpResponse<String> open = scrape(scraped.health(), PROMETHEUS_ACCEPT);
        assertThat(open.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
        assertThat(open.body())
                .contains("worker_node_duration_seconds_count{action=\"http.request\",status=\"succeeded\"} 1");
        assertThat(exemplars(open.body())).isEmpty();
        assertThat(open.body()).doesNotContain(" # {");
        HttpResponse<String> plain = scrape(scraped.health(), null);
        assertThat(PrometheusText.parse(plain.body())
                        .get("worker_jobs_processed_total")
                        .value("worker_jobs_processed_total", Map.of()))
                .hasValue(1.0);
    }

    @Test
    void aParkedWaitIsAnEventOfItsAttemptAndTheResumingAttemptLinksBackToIt() throws Exception {
        OtlpReceiver receiver = new OtlpReceiver();
        closing.add(receiver);
        NebulaWorker w = started(TestConfigs.withOtel(config(), receiver.endpoint(), Duration.ofSeconds(5)));
        Path file = tmp.resolve("parked.json");
        Files.writeString(file, """
                {
                  "name": "parked",
                  "nodes": [
                    { "id": "approval", "action": "signal", "params": { "name": "approve" } },
                    { "id": "pause", "action": "delay", "depends_on": ["approval"], "params": { "seconds": 2.5 } },
                    { "id": "after", "action": "transform", "depends_on": ["pause"], "params": { "value": "done" } }
                  ]
                }
                """);
        WorkflowClient client = w.client();
        long id = client.submit(
                        client.load(file), "{}", SubmitOptions.defaults().traceparent(TRACEPARENT))
                .executionId();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.store().historyList(id).stream()
                        .anyMatch(h -> h.event().equals("awaiting_signal")));
        client.signal(id, "approve", "{\"ok\":true}");
        ExecutionView v = client.awaitTerminal(id, Duration.ofSeconds(60));
        assertThat(v.state()).isEqualTo(ExecutionState.SUCCEEDED);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> named(receiver.spans(), "execution parked").size() >= 3);
        List<ReceivedSpan> attempts = named(receiver.spans(), "execution parked").stream()
                .sorted(java.util.Comparator.comparingLong(s -> (Long) s.attr("nebula.lease_epoch")))
                .toList();
        assertThat(attempts).hasSize(3);
        ReceivedSpan parked = attempts.get(0);
        assertThat(parked.attr("nebula.outcome")).isEqualTo("waiting");
        assertThat(parked.events()).singleElement().satisfies(e -> {
            assertThat(e.name()).isEqualTo("wait");
            assertThat(e.attributes())
                    .containsEntry("nebula.wait.kind", "signal")
                    .containsEntry("nebula.wait.signals", List.of("approve"))
                    .containsEntry("nebula.wait.nodes", List.of("approval"));
            assertThat((String) e.attributes().get("nebula.wait.reason")).contains("approve");
        });
        ReceivedSpan delayed = attempts.get(1);
        assertThat(delayed.attr("nebula.outcome")).isEqualTo("waiting");
        assertThat(delayed.events()).singleElement().satisfies(e -> {
            assertThat(e.name()).isEqualTo("wait");
            assertThat(e.attributes()).containsEntry("nebula.wait.kind", "delay");
            assertThat((Long) e.attributes().get("nebula.wait.delay_ms")).isBetween(1L, 2_500L);
            assertThat((String) e.attributes().get("nebula.wait.reason")).startsWith("node 'pause': ");
        });
        assertThat(delayed.links()).singleElement().satisfies(l -> {
            assertThat(l.spanId()).isEqualTo(parked.spanId());
            assertThat(l.attributes())
                    .containsEntry("nebula.link.reason", "signal")
                    .containsEntry("nebula.lease_epoch", 1L);
        });
        ReceivedSpan resumed = attempts.get(2);
        assertThat(resumed.attr("nebula.outcome")).isEqualTo("succeeded");
        assertThat(resumed.events()).isEmpty();
        assertThat(resumed.links()).singleElement().satisfies(l -> {
            assertThat(l.spanId()).isEqualTo(delayed.spanId());
            assertThat(l.attributes())
                    .containsEntry("nebula.link.reason", "wait")
                    .containsEntry("nebula.lease_epoch", 2L);
        });
    }

    @Test
    void withTheCollectorDownExecutionsSucceedAndTheLostSpansAreCounted() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer server = downstream(0, received);
        NebulaWorker w =
                started(TestConfigs.withOtel(config(), "http://127.0.0.1:" + closedPort, Duration.ofMillis(500)));
        PrometheusMetrics metrics = new PrometheusMetrics(() -> 0, 4, Map::of, List.of("default"));
        metrics.tracing(w.tracing());

        run(w, "{\"url\":\"http://127.0.0.1:" + server.getAddress().getPort() + "/\"}", SubmitOptions.defaults());

        // The downstream call still carried a trace context, and no export could be delivered.
        assertThat(received).hasSize(1).allSatisfy(tp -> assertThat(tp).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]"));
        // submit, attempt, 3 nodes, 1 HTTP call
        await().atMost(Duration.ofSeconds(60)).until(() -> w.tracing().droppedSpans() >= 6);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        double dropped = PrometheusText.parse(out.toString(StandardCharsets.UTF_8))
                .get("worker_trace_spans_dropped_total")
                .value("worker_trace_spans_dropped_total", Map.of())
                .orElseThrow();
        assertThat(dropped).isGreaterThanOrEqualTo(6);
    }
}
