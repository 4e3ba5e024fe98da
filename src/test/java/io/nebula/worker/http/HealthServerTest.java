package io.nebula.worker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.observe.PrometheusMetrics;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.pool.PoolOptions;
import io.nebula.worker.pool.Worker;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.postgres.PostgresExecutionStore;
import io.nebula.worker.testing.PrometheusText;
import io.nebula.worker.testing.ScriptedRunner;
import io.nebula.worker.testing.TcpProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The health port against a real worker on PostgreSQL, reached through a cuttable proxy. */
class HealthServerTest {
    private static final WorkflowDocument WF = new WorkflowDocument("h", "scripted", "{}");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String schema = PostgresTestDatabase.newSchema();
    private TcpProxy proxy;
    private ExecutionStore direct;
    private Worker worker;
    private HealthServer server;

    @BeforeAll
    static void requirePostgres() {
        PostgresTestDatabase.require();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
        if (worker != null) {
            worker.stop(Duration.ZERO);
        }
        if (direct != null) {
            direct.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        PostgresTestDatabase.dropSchema(schema);
    }

    private ScriptedRunner startWorker(boolean metrics) throws Exception {
        proxy = new TcpProxy("127.0.0.1", 5432);
        direct = PostgresTestDatabase.open(schema, StoreOptions.defaults("direct"));
        direct.migrate();
        direct.workflowPut(WF);
        ExecutionStore viaProxy = PostgresExecutionStore.open(
                "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test",
                PostgresTestDatabase.properties(),
                StoreOptions.defaults("proxied").withSchema(schema).withConnectTimeout(Duration.ofSeconds(1)));
        ScriptedRunner runner = new ScriptedRunner();
        PoolOptions o = PoolOptions.defaults("health-test")
                .withConcurrency(8)
                .withPollInterval(Duration.ofMillis(50))
                .withCheckInterval(Duration.ofMillis(200));
        PrometheusMetrics m = new PrometheusMetrics(
                () -> worker.activeJobs(), o.concurrency(), viaProxy::connectionPoolUsage, o.queues());
        worker = Worker.builder()
                .options(o)
                .store(viaProxy, true)
                .runner(runner)
                .listener(WorkerListener.compose(List.of(m)))
                .build();
        worker.start();
        server = new HealthServer("127.0.0.1", 0, worker, metrics ? m : null);
        server.start();
        return runner;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int status(String path) {
        try {
            return get(path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void readinessFollowsTheDatabaseWhileLivenessDoesNot() throws Exception {
        startWorker(true);
        await().atMost(Duration.ofSeconds(20)).until(() -> status("/ready") == 200);
        JsonNode ready = JSON.readTree(get("/ready").body());
        assertThat(ready.get("status").asString()).isEqualTo("ready");
        assertThat(ready.get("workers").asInt()).isEqualTo(8);
        assertThat(ready.get("active_jobs").asInt()).isZero();
        assertThat(ready.get("queue_connected").asBoolean()).isTrue();

        proxy.cut();

        await().atMost(Duration.ofSeconds(20)).until(() -> status("/ready") == 503);
        HttpResponse<String> notReady = get("/ready");
        JsonNode body = JSON.readTree(notReady.body());
        assertThat(body.get("status").asString()).isEqualTo("not_ready");
        assertThat(body.get("queue_connected").asBoolean()).isFalse();
        assertThat(body.get("reason").asString()).startsWith("database unreachable");
        assertThat(notReady.body()).doesNotContain("5432", "127.0.0.1", "postgres", "jdbc");
        assertThat(status("/health")).isEqualTo(200);

        proxy.restore();
        await().atMost(Duration.ofSeconds(30)).until(() -> status("/ready") == 200);
    }

    @Test
    void readinessDropsWithinACheckIntervalWhenTheDatabaseStopsAnswering() throws Exception {
        // A hung database (or a partition, or a restart while the pool waits for new connections)
        // does not fail calls: they wait for their timeouts. Readiness must not wait with them.
        startWorker(true);
        await().atMost(Duration.ofSeconds(20)).until(() -> status("/ready") == 200);

        proxy.freeze();

        // Calls on the frozen connections wait for their 60 s socket timeout; readiness must not.
        // The bound leaves room for a loaded machine and still lies far below that timeout.
        await().atMost(Duration.ofSeconds(8)).until(() -> status("/ready") == 503);
        assertThat(JSON.readTree(get("/ready").body()).get("reason").asString())
                .isEqualTo("database unreachable: no answer within 250 ms");
        assertThat(status("/health")).isEqualTo(200);
        proxy.thaw();
        await().atMost(Duration.ofSeconds(30)).until(() -> status("/ready") == 200);
    }

    @Test
    void metricsAreValidExpositionAndAgreeWithTheDatabase() throws Exception {
        startWorker(true);
        List<SubmitRequest> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(SubmitRequest.now("default", WF.hash(), WF.name(), "{\"do\":\"succeed\"}", 1));
        }
        for (int i = 0; i < 7; i++) {
            batch.add(SubmitRequest.now("default", WF.hash(), WF.name(), "{\"do\":\"fail\"}", 1));
        }
        direct.executionSubmitMany(batch);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> count(ExecutionState.SUCCEEDED) + count(ExecutionState.FAILED) == 107);

        Map<String, PrometheusText.Family> m =
                PrometheusText.parse(get("/metrics").body());

        assertThat(m.get("worker_jobs_processed_total").type()).isEqualTo("counter");
        assertThat(m.get("worker_jobs_failed_total").type()).isEqualTo("counter");
        assertThat(m.get("worker_job_duration_seconds").type()).isEqualTo("histogram");
        assertThat(m.get("worker_active_jobs").type()).isEqualTo("gauge");
        assertThat(m.get("worker_queue_depth").type()).isEqualTo("gauge");
        double processed = m.get("worker_jobs_processed_total")
                .value("worker_jobs_processed_total", Map.of())
                .orElseThrow();
        double failed = m.get("worker_jobs_failed_total")
                .value("worker_jobs_failed_total", Map.of())
                .orElseThrow();
        assertThat(processed).isEqualTo(count(ExecutionState.SUCCEEDED) + count(ExecutionState.FAILED));
        assertThat(processed).isEqualTo(107);
        assertThat(failed).isEqualTo(count(ExecutionState.FAILED)).isEqualTo(7);
        assertThat(m.get("worker_job_duration_seconds").value("worker_job_duration_seconds_count", Map.of()))
                .contains(107.0);
        assertThat(m)
                .containsKeys(
                        "worker_retries_total",
                        "worker_lease_lost_total",
                        "worker_rescued_total",
                        "worker_quarantined_total",
                        "worker_claim_batch_size",
                        "worker_heartbeat_failures_total",
                        "worker_queue_oldest_age_seconds",
                        "worker_db_pool_connections",
                        "jvm_memory_used_bytes");
        assertThat(m.keySet()).anyMatch(k -> k.startsWith("jvm_gc"));

        worker.checkNow();
        Map<String, PrometheusText.Family> after =
                PrometheusText.parse(get("/metrics").body());
        assertThat(after.get("worker_queue_depth").value("worker_queue_depth", Map.of("queue", "default")))
                .contains(0.0);
    }

    @Test
    void scheduleFiresAndSkipsAreCounted() throws Exception {
        startWorker(true);
        java.time.Instant now = direct.databaseNow();
        // Every second, its first fire time two minutes ago: the worker fires the latest of the
        // missed times and counts the rest as skipped.
        direct.scheduleCreate(io.nebula.worker.queue.Schedule.define(
                "tick",
                WF.hash(),
                WF.name(),
                "* * * * * *",
                "UTC",
                "{\"do\":\"succeed\"}",
                "default",
                1,
                io.nebula.worker.queue.Schedule.Overlap.ALLOW,
                io.nebula.worker.queue.Schedule.CatchUp.LATEST,
                now.minusSeconds(120).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));

        await().atMost(Duration.ofSeconds(30)).until(() -> fires() >= 2);

        Map<String, PrometheusText.Family> m =
                PrometheusText.parse(get("/metrics").body());
        assertThat(m.get("worker_schedule_fires_total").type()).isEqualTo("counter");
        assertThat(m.get("worker_schedule_lag_seconds").type()).isEqualTo("histogram");
        assertThat(m.get("worker_schedule_lag_seconds").value("worker_schedule_lag_seconds_count", Map.of()))
                .hasValueSatisfying(c -> assertThat(c).isGreaterThanOrEqualTo(2));
        assertThat(m.get("worker_schedule_skips_total")
                        .value("worker_schedule_skips_total", Map.of("reason", "missed"))
                        .orElseThrow())
                .isGreaterThanOrEqualTo(100);
        assertThat(m.get("worker_schedule_skips_total")
                        .value("worker_schedule_skips_total", Map.of("reason", "overlap")))
                .contains(0.0);
    }

    private double fires() throws Exception {
        return PrometheusText.parse(get("/metrics").body())
                .get("worker_schedule_fires_total")
                .value("worker_schedule_fires_total", Map.of())
                .orElse(0.0);
    }

    private long count(ExecutionState s) {
        return direct.executionList(new ExecutionFilter(s, null, null, 1000)).size();
    }

    @Test
    void unknownPathsAndMethodsAndDisabledMetrics() throws Exception {
        startWorker(false);
        assertThat(status("/metrics")).isEqualTo(404);
        assertThat(status("/nope")).isEqualTo(404);
        HttpResponse<String> post = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/ready"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(status("/health")).isEqualTo(200);
    }

    @Test
    void readinessTurnsFalseAsSoonAsShutdownStartsWhileWorkIsStillRunning() throws Exception {
        ScriptedRunner runner = startWorker(true);
        await().atMost(Duration.ofSeconds(20)).until(() -> status("/ready") == 200);
        direct.executionSubmitMany(
                List.of(SubmitRequest.now("default", WF.hash(), WF.name(), "{\"do\":\"block\"}", 1)));
        await().atMost(Duration.ofSeconds(20)).until(() -> runner.blocked.getCount() == 0);

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> worker.stop(Duration.ofSeconds(30)));
        await().atMost(Duration.ofSeconds(10)).until(() -> status("/ready") == 503);
        JsonNode body = JSON.readTree(get("/ready").body());
        assertThat(body.get("reason").asString()).isEqualTo("shutting down");
        assertThat(body.get("active_jobs").asInt()).isEqualTo(1);
        assertThat(stopping).isNotDone();

        runner.release.countDown();
        stopping.get();
    }
}
