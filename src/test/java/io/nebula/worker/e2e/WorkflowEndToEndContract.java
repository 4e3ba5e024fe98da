package io.nebula.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.nebula.worker.app.NebulaWorker;
import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.pool.PoolOptions;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.WorkflowInvalidException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The bundled example workflows, run by real workers on a real store. */
abstract class WorkflowEndToEndContract {
    static final Path EXAMPLES = Path.of(System.getProperty("nebula.project.dir", "."), "examples");
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    private final List<NebulaWorker> workers = new ArrayList<>();

    protected abstract WorkerConfig config();

    /** Moves every waiting execution's run-at time to now (time travel for durable delays). */
    protected abstract void fastForwardWaits() throws Exception;

    protected abstract void cleanUp();

    @AfterEach
    void stopAll() {
        workers.forEach(w -> w.worker().stop(Duration.ZERO));
        cleanUp();
    }

    NebulaWorker worker(String id, int concurrency) {
        WorkerConfig c = config();
        NebulaWorker w = NebulaWorker.builder()
                .config(c)
                .workerId(id)
                .options(PoolOptions.from(c, id).withConcurrency(concurrency))
                .build();
        workers.add(w);
        w.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> w.worker().readiness().snapshot().ready());
        return w;
    }

    @Test
    void helloSucceedsWithItsGreeting() throws Exception {
        WorkflowClient c = worker("w1", 4).client();
        LoadedWorkflow wf = c.load(EXAMPLES.resolve("hello.json"));
        long id = c.submit(wf, null, SubmitOptions.defaults()).executionId();
        ExecutionView v = c.awaitTerminal(id, Duration.ofSeconds(60));
        assertThat(v.state()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(JSON.readTree(v.outputJson())).isEqualTo(JSON.readTree("{\"greeting\":\"hello, world\"}"));
        long named =
                c.submit(wf, "{\"name\":\"Ada\"}", SubmitOptions.defaults()).executionId();
        assertThat(c.awaitTerminal(named, Duration.ofSeconds(60)).outputJson()).contains("hello, Ada");
    }

    @Test
    void orderPipelineRunsBranchesConditionAndJoin() throws Exception {
        WorkflowClient c = worker("w1", 4).client();
        LoadedWorkflow wf = c.load(EXAMPLES.resolve("order-pipeline.yaml"));
        String express =
                "{\"order\":{\"id\":\"o-1\",\"express\":true,\"items\":[{\"sku\":\"a\",\"qty\":2,\"price\":1.5},{\"sku\":\"b\",\"qty\":10,\"price\":3}]}}";
        String standard = express.replace("\"express\":true", "\"express\":false");
        long e = c.submit(wf, express, SubmitOptions.defaults()).executionId();
        long s = c.submit(wf, standard, SubmitOptions.defaults()).executionId();

        ExecutionView ev = c.awaitTerminal(e, Duration.ofSeconds(60));
        ExecutionView sv = c.awaitTerminal(s, Duration.ofSeconds(60));

        assertThat(ev.state()).as(ev.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(sv.state()).as(sv.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        List<NodeResult> en = c.store().nodeResultList(e);
        List<NodeResult> sn = c.store().nodeResultList(s);
        assertThat(statusOf(en, "ship_express")).isEqualTo(NodeStatus.SUCCEEDED);
        assertThat(statusOf(en, "ship_standard")).isEqualTo(NodeStatus.SKIPPED);
        assertThat(statusOf(sn, "ship_express")).isEqualTo(NodeStatus.SKIPPED);
        assertThat(statusOf(sn, "ship_standard")).isEqualTo(NodeStatus.SUCCEEDED);
        assertThat(en)
                .extracting(NodeResult::nodeId)
                .hasSameSizeAs(wf.workflow().nodes());
        JsonNode out = JSON.readTree(ev.outputJson());
        assertThat(out.toString()).contains("o-1");
        assertThat(c.awaitTerminal(e, Duration.ZERO).outputJson()).isNotEqualTo(sv.outputJson());
    }

    private static NodeStatus statusOf(List<NodeResult> nodes, String id) {
        return nodes.stream()
                .filter(n -> n.nodeId().equals(id))
                .findFirst()
                .orElseThrow()
                .status();
    }

    @Test
    void flakyRetryFailsTwiceThenSucceeds() throws Exception {
        WorkflowClient c = worker("w1", 4).client();
        LoadedWorkflow wf = c.load(EXAMPLES.resolve("flaky-retry.json"));
        long id = c.submit(wf, null, SubmitOptions.defaults()).executionId();
        ExecutionView v = c.awaitTerminal(id, Duration.ofSeconds(60));
        assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(v.outputJson()).contains("succeeded on try 3");
    }

    @Test
    void httpCallReachesALocalServerWithAKeyUniqueToTheStore() throws Exception {
        List<String> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            keys.add(String.valueOf(ex.getRequestHeaders().getFirst("Idempotency-Key")));
            byte[] body = "{\"pong\":true}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            WorkflowClient c = worker("w1", 4).client();
            LoadedWorkflow wf = c.load(EXAMPLES.resolve("http-call.json"));
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/ping";
            long id = c.submit(wf, "{\"url\":\"" + url + "\"}", SubmitOptions.defaults())
                    .executionId();
            ExecutionView v = c.awaitTerminal(id, Duration.ofSeconds(60));
            assertThat(v.state()).as(v.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
            JsonNode out = JSON.readTree(v.outputJson());
            assertThat(out.get("status").asInt()).isEqualTo(200);
            assertThat(out.get("content_type").asString()).isEqualTo("application/json");
            String installation = c.store().installation().id();
            assertThat(keys).containsExactly(installation + ":" + id + ":call");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aLongDurableDelayFreesTheSlotAndAnotherWorkerFinishesIt() throws Exception {
        NebulaWorker a = worker("a", 1);
        WorkflowClient c = a.client();
        long delayed = c.submit(c.load(EXAMPLES.resolve("long-delay.json")), null, SubmitOptions.defaults())
                .executionId();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> c.store().historyList(delayed).stream()
                        .anyMatch(h -> h.event().equals("waiting")));
        ExecutionView waiting = c.get(delayed).orElseThrow();
        assertThat(waiting.state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(waiting.runAt()).isAfter(waiting.now().plus(Duration.ofSeconds(100)));

        // The only slot is free: other work runs while the delay waits.
        long hello = c.submit(c.load(EXAMPLES.resolve("hello.json")), null, SubmitOptions.defaults())
                .executionId();
        assertThat(c.awaitTerminal(hello, Duration.ofSeconds(60)).state()).isEqualTo(ExecutionState.SUCCEEDED);
        a.worker().stop(Duration.ZERO);

        fastForwardWaits();
        NebulaWorker b = worker("b", 1);
        WorkflowClient bc = b.client();
        ExecutionView done = bc.awaitTerminal(delayed, Duration.ofSeconds(60));
        assertThat(done.state()).as(done.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(done.outputJson()).contains("done");
        List<HistoryEntry> h = bc.store().historyList(delayed);
        assertThat(h).extracting(HistoryEntry::event).containsExactly("claimed", "waiting", "claimed", "succeeded");
        assertThat(h.get(0).workerId()).isEqualTo("a");
        assertThat(h.get(3).workerId()).isEqualTo("b");
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(bc.store().nodeResultList(delayed))
                .extracting(NodeResult::nodeId)
                .containsExactlyInAnyOrder("start", "wait", "finish");
    }

    @Test
    void anInvalidWorkflowIsRejectedAndNothingIsEnqueued() throws Exception {
        WorkflowClient c = worker("w1", 4).client();
        Path bad = tmp.resolve("bad.json");
        Files.writeString(
                bad,
                "{\"name\":\"bad\",\"nodes\":[{\"id\":\"a\",\"action\":\"nope\"},{\"id\":\"b\",\"action\":\"noop\",\"depends_on\":[\"zz\"]}]}");
        assertThatThrownBy(() -> c.load(bad))
                .isInstanceOf(WorkflowInvalidException.class)
                .hasMessageContaining("bad.json")
                .hasMessageContaining("unknown action")
                .hasMessageContaining("zz");
        assertThat(c.store().executionList(ExecutionFilter.all(10))).isEmpty();
    }
}
