package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import io.nebula.worker.testing.OtlpReceiver;
import io.nebula.worker.testing.OtlpReceiver.ReceivedSpan;
import io.nebula.worker.testing.Terminal;
import io.nebula.worker.testing.WorkerLauncher;
import io.nebula.worker.testing.WorkerProcess;
import io.nebula.worker.testing.WorkerSettings;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.Workflows;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace survives its worker: the first worker process is killed ({@code kill -9}) while its
 * attempt waits on an HTTP call; the second rescues the execution, and its attempt continues the
 * submitter's trace and links to the dead attempt as rescued, with the second HTTP call carrying the
 * trace downstream and the JSON log lines of the execution carrying its ids.
 */
@Tag("process")
class TracingProcessTest {
    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String SUBMITTER_SPAN = "00f067aa0ba902b7";

    @TempDir
    Path tmp;

    @Test
    void theAttemptAfterAKilledWorkerContinuesTheSameTrace() throws Exception {
        Path db = tmp.resolve("traced.db");
        CountDownLatch firstCall = new CountDownLatch(1);
        CountDownLatch victimGone = new CountDownLatch(1);
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer downstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        downstream.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        downstream.createContext("/", exchange -> {
            try (exchange) {
                received.add(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
                if (received.size() == 1) {
                    // The first call hangs until its worker is dead.
                    firstCall.countDown();
                    try {
                        victimGone.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } catch (java.io.IOException ignored) {
                // the caller died
            }
        });
        downstream.start();
        Path workflow = tmp.resolve("traced.json");
        Files.writeString(workflow, """
                {
                  "name": "traced",
                  "nodes": [
                    { "id": "prepare", "action": "transform", "params": { "value": "ready" } },
                    { "id": "call", "action": "http.request", "depends_on": ["prepare"],
                      "params": { "method": "GET", "url": "http://127.0.0.1:%d/hook", "timeout_seconds": 60 },
                      "timeout_seconds": 60 }
                  ]
                }
                """.formatted(downstream.getAddress().getPort()));

        try (OtlpReceiver receiver = new OtlpReceiver();
                ExecutionStore store = SqliteExecutionStore.open(db, StoreOptions.defaults("tracing-test"));
                WorkerLauncher launcher = new WorkerLauncher(
                        WorkerLauncher.runDir("tracing", "kill"), Map.of("DATABASE_URL", "sqlite:" + db))) {
            store.migrate();
            WorkerSettings settings = WorkerSettings.fastTimings()
                    .with("http.allow_private_networks", true)
                    .with("otel.exporter_otlp_endpoint", receiver.endpoint())
                    .with("otel.bsp_schedule_delay_ms", 50);
            WorkerProcess victim = launcher.start("trace-a", settings).awaitReady(Duration.ofSeconds(60));

            ActionRegistry actions = ActionRegistry.builder()
                    .registerAll(BuiltinActions.create(HttpActionOptions.defaults(), Duration.ofSeconds(5)))
                    .build();
            WorkflowClient client = new WorkflowClient(store, new Workflows(actions, Limits.defaults()), 3);
            long id = client.submit(
                            client.load(workflow),
                            "{}",
                            SubmitOptions.defaults().traceparent("00-" + TRACE + "-" + SUBMITTER_SPAN + "-01"))
                    .executionId();
            assertThat(firstCall.await(60, TimeUnit.SECONDS)).isTrue();
            victim.kill();
            victimGone.countDown();

            WorkerProcess rescuer = launcher.start("trace-b", settings).awaitReady(Duration.ofSeconds(60));
            assertThat(Terminal.await(store, id, Duration.ofSeconds(90)).state())
                    .isEqualTo(ExecutionState.SUCCEEDED);

            // The rescuer's attempt, its node tries and its HTTP call, all in the submitter's trace.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> receiver.spans().stream()
                            .anyMatch(s -> s.name().equals("execution traced")
                                    && rescuer.instanceId().equals(s.attr("nebula.worker.id"))));
            List<ReceivedSpan> spans = receiver.spans();
            assertThat(spans).allSatisfy(s -> assertThat(s.traceId()).isEqualTo(TRACE));
            ReceivedSpan second = spans.stream()
                    .filter(s -> s.name().equals("execution traced"))
                    .filter(s -> rescuer.instanceId().equals(s.attr("nebula.worker.id")))
                    .findFirst()
                    .orElseThrow();
            assertThat(second.parentSpanId()).isEqualTo(SUBMITTER_SPAN);
            assertThat(second.attributes())
                    .containsEntry("nebula.execution.id", id)
                    .containsEntry("nebula.attempt", 2L)
                    .containsEntry("nebula.outcome", "succeeded");
            // It links to the victim's attempt, whose span never ended, saying it was rescued.
            assertThat(second.links()).singleElement().satisfies(l -> {
                assertThat(l.traceId()).isEqualTo(TRACE);
                assertThat(l.spanId()).matches("[0-9a-f]{16}").isNotEqualTo(second.spanId());
                assertThat(l.attributes())
                        .containsEntry("nebula.link.reason", "rescued")
                        .containsEntry("nebula.attempt", 1L)
                        .containsEntry("nebula.lease_epoch", 1L)
                        .containsEntry("nebula.worker.id", victim.instanceId());
            });
            // The victim never ended its attempt: no span of it names that worker.
            assertThat(spans)
                    .noneMatch(s -> s.name().equals("execution traced")
                            && victim.instanceId().equals(s.attr("nebula.worker.id")));
            ReceivedSpan call = spans.stream()
                    .filter(s ->
                            s.name().equals("node call") && s.parentSpanId().equals(second.spanId()))
                    .findFirst()
                    .orElseThrow();
            ReceivedSpan get = spans.stream()
                    .filter(s -> s.name().equals("GET") && s.parentSpanId().equals(call.spanId()))
                    .findFirst()
                    .orElseThrow();
            assertThat(received).hasSize(2);
            assertThat(received.get(0)).startsWith("00-" + TRACE + "-");
            assertThat(received.get(1)).isEqualTo("00-" + TRACE + "-" + get.spanId() + "-01");

            // The rescuer's JSON log lines of the execution carry the trace and the span.
            assertThat(rescuer.log().messages("execution started"))
                    .filteredOn(e -> String.valueOf(id).equals(e.text("execution_id")))
                    .singleElement()
                    .satisfies(e -> {
                        assertThat(e.text("trace_id")).isEqualTo(TRACE);
                        assertThat(e.text("span_id")).isEqualTo(second.spanId());
                    });
            rescuer.terminate();
        } finally {
            downstream.stop(0);
        }
    }
}
