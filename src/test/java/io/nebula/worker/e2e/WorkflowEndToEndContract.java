package io.nebula.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.nebula.worker.app.NebulaWorker;
import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.testing.Terminal;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.WorkflowInvalidException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The bundled example workflows, run by real workers on a real store. */
abstract class WorkflowEndToEndContract extends EndToEndContract {
    static final Path EXAMPLES = Path.of(System.getProperty("nebula.project.dir", "."), "examples");
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** Moves every waiting execution's run-at time to now (time travel for durable delays). */
    protected abstract void fastForwardWaits() throws Exception;

    @Test
    void helloSucceedsWithItsGreeting() throws Exception {
        WorkflowClient c = started("w1", 4).client();
        LoadedWorkflow wf = c.load(EXAMPLES.resolve("hello.json"));
        long id = c.submit(wf, null, SubmitOptions.defaults()).executionId();
        ExecutionView v = Terminal.await(c.store(), id, Duration.ofSeconds(60));
        assertThat(v.state()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(JSON.readTree(v.outputJson())).isEqualTo(JSON.readTree("{\"greeting\":\"hello, world\"}"));
        long named =
                c.submit(wf, "{\"name\":\"Ada\"}", SubmitOptions.defaults()).executionId();
        assertThat(Terminal.await(c.store(), named, Duration.ofSeconds(60)).outputJson())
                .contains("hello, Ada");
    }

    @Test
    void orderPipelineRunsBranchesConditionAndJoin() throws Exception {
        WorkflowClient c = started("w1", 4).client();
        LoadedWorkflow wf = c.load(EXAMPLES.resolve("order-pipeline.yaml"));
        String express =
                "{\"order\":{\"id\":\"o-1\",\"express\":true,\"items\":[{\"sku\":\"a\",\"qty\":2,\"price\":1.5},{\"sku\":\"b\",\"qty\":10,\"price\":3}]}}";
        String standard = express.replace("\"express\":true", "\"express\":false");
        long e = c.submit(wf, express, SubmitOptions.defaults()).executionId();
        long s = c.submit(wf, standard, SubmitOptions.defaults()).executionId();

        ExecutionView ev = Terminal.await(c.store(), e, Duration.ofSeconds(60));
        ExecutionView sv = Terminal.await(c.store(), s, Duration.ofSeconds(60));

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
        assertThat(Terminal.await(c.store(), e, Duration.ZERO).outputJson()).isNotEqualTo(sv.outputJson());
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
        WorkflowClient c = started("w1", 4).client();
        LoadedWorkflow wf = c.load(EXAMPLES.resolve("flaky-retry.json"));
        long id = c.submit(wf, null, SubmitOptions.defaults()).executionId();
        ExecutionView v = Terminal.await(c.store(), id, Duration.ofSeconds(60));
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
            WorkflowClient c = started("w1", 4).client();
            LoadedWorkflow wf = c.load(EXAMPLES.resolve("http-call.json"));
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/ping";
            long id = c.submit(wf, "{\"url\":\"" + url + "\"}", SubmitOptions.defaults())
                    .executionId();
            ExecutionView v = Terminal.await(c.store(), id, Duration.ofSeconds(60));
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
        NebulaWorker a = started("a", 1);
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
        assertThat(Terminal.await(c.store(), hello, Duration.ofSeconds(60)).state())
                .isEqualTo(ExecutionState.SUCCEEDED);
        a.worker().stop(Duration.ZERO);

        fastForwardWaits();
        NebulaWorker b = started("b", 1);
        WorkflowClient bc = b.client();
        ExecutionView done = Terminal.await(bc.store(), delayed, Duration.ofSeconds(60));
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
        WorkflowClient c = started("w1", 4).client();
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
