package io.nebula.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.cli.WorkerApp;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.testing.PrometheusText;
import io.nebula.worker.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-queue gauges an autoscaler reads, from a whole worker process (the command's own
 * start-up, health port and all) on a real store: every served queue has its series from the first
 * scrape, at 0 while empty, and {@code worker_queue_lag_seconds} is the age of the oldest due
 * execution.
 */
abstract class QueueMetricsContract extends EndToEndContract {
    private static final List<String> SERVED = List.of("alpha", "beta");
    private final HttpClient http = HttpClient.newHttpClient();
    private WorkerApp.Running running;

    @AfterEach
    void stop() {
        if (running != null) {
            running.worker().worker().stop(Duration.ZERO);
            running.health().close();
        }
    }

    private Map<String, PrometheusText.Family> scrape() throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + running.health().port() + "/metrics"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return PrometheusText.parse(r.body());
    }

    private static Optional<Double> gauge(Map<String, PrometheusText.Family> m, String name, String queue) {
        PrometheusText.Family f = m.get(name);
        assertThat(f).as(name).isNotNull();
        return f.value(name, Map.of("queue", queue));
    }

    private WorkerApp.Running start() throws Exception {
        WorkerConfig c = TestConfigs.withQueues(config(), SERVED);
        c = new WorkerConfig(
                c.worker(),
                c.queue(),
                c.database(),
                new WorkerConfig.Health(true, 0, "127.0.0.1", Duration.ofMillis(200), true),
                c.tracing(),
                c.log(),
                c.runtime(),
                c.http(),
                c.console());
        return WorkerApp.start(c, List.of());
    }

    @Test
    void aFreshWorkerReportsZeroForEveryQueueItServes() throws Exception {
        running = start();

        // At once, before the worker has even reached its database.
        Map<String, PrometheusText.Family> first = scrape();
        for (String q : SERVED) {
            assertThat(gauge(first, "worker_queue_depth", q)).as(q).contains(0.0);
            assertThat(gauge(first, "worker_queue_lag_seconds", q)).as(q).contains(0.0);
            assertThat(gauge(first, "worker_queue_scheduled", q)).as(q).contains(0.0);
            assertThat(gauge(first, "worker_queue_oldest_age_seconds", q)).as(q).contains(0.0);
        }

        await().atMost(Duration.ofSeconds(30))
                .until(() -> running.worker().worker().readiness().snapshot().ready());
        running.worker().worker().checkNow();
        Map<String, PrometheusText.Family> counted = scrape();
        for (String q : SERVED) {
            assertThat(gauge(counted, "worker_queue_depth", q)).as(q).contains(0.0);
            assertThat(gauge(counted, "worker_queue_lag_seconds", q)).as(q).contains(0.0);
        }
    }

    @Test
    void lagIsTheAgeOfTheOldestDueExecutionOfEachQueue() throws Exception {
        running = start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> running.worker().worker().readiness().snapshot().ready());
        ExecutionStore store = running.worker().store();
        // Paused, so the worker leaves the backlog where it is.
        store.queuePause("beta", true);
        WorkflowDocument wf = new WorkflowDocument("lag-hash", "lag", "{}");
        store.workflowPut(wf);
        Instant ninetySecondsAgo = Instant.now().minusSeconds(90);
        List<SubmitRequest> batch = new ArrayList<>();
        batch.add(SubmitRequest.now("beta", wf.hash(), wf.name(), "{}", 1).withRunAt(ninetySecondsAgo));
        batch.add(SubmitRequest.now("beta", wf.hash(), wf.name(), "{}", 1).withRunAt(ninetySecondsAgo.plusSeconds(60)));
        batch.add(SubmitRequest.now("beta", wf.hash(), wf.name(), "{}", 1).withDelay(Duration.ofHours(1)));
        store.executionSubmitMany(batch);

        running.worker().worker().checkNow();
        Map<String, PrometheusText.Family> m = scrape();

        assertThat(gauge(m, "worker_queue_depth", "beta")).contains(2.0);
        assertThat(gauge(m, "worker_queue_scheduled", "beta")).contains(1.0);
        // Measured by the database clock at the check; the scrape does not move it.
        assertThat(gauge(m, "worker_queue_lag_seconds", "beta").orElseThrow()).isBetween(89.0, 150.0);
        assertThat(gauge(m, "worker_queue_depth", "alpha")).contains(0.0);
        assertThat(gauge(m, "worker_queue_lag_seconds", "alpha")).contains(0.0);
    }
}
