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
import io.nebula.worker.observe.PrometheusMetrics;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.testing.OtlpReceiver;
import io.nebula.worker.testing.OtlpReceiver.ReceivedSpan;
import io.nebula.worker.testing.PrometheusText;
import io.nebula.worker.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry traces with a real worker on a real store, exported to a real OTLP/HTTP receiver
 * started here: one trace from the submitter's span through every attempt, node try and HTTP call
 * (whose server receives the trace context), and a collector that is down costs the executions
 * nothing but the spans, which are counted.
 */
abstract class TracingEndToEndContract {
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

    @TempDir
    Path tmp;

    private final List<AutoCloseable> closing = new ArrayList<>();

    protected abstract WorkerConfig config();

    protected abstract void cleanUp();

    @AfterEach
    void stopAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        cleanUp();
    }

    private NebulaWorker started(WorkerConfig c) {
        NebulaWorker w =
                NebulaWorker.builder().config(c).workerId("traced-worker").build();
        closing.add(w);
        w.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> w.worker().readiness().snapshot().ready());
        return w;
    }

    private ExecutionView run(NebulaWorker w, String inputJson, SubmitOptions options) throws Exception {
        Path file = tmp.resolve("traced.json");
        Files.writeString(file, WORKFLOW);
        WorkflowClient client = w.client();
        Submitted s = client.submit(client.load(file), inputJson, options);
        ExecutionView v = client.awaitTerminal(s.executionId(), Duration.ofSeconds(60));
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
        NebulaWorker w = started(TestConfigs.withOtel(config(), receiver.endpoint(), Duration.ofSeconds(5)));
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
        metrics.countDroppedSpans(w.tracing());

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
