package io.nebula.worker.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.QueueStats;
import io.nebula.worker.testing.PrometheusText;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The per-queue gauges: every served queue has a series (0 until counted), and the label values
 * submitters create by naming queues stay bounded.
 */
class PrometheusMetricsTest {
    @Test
    void perQueueGaugesShowAtMostTheBusiestHundredQueues() throws Exception {
        PrometheusMetrics m = new PrometheusMetrics(() -> 0, 4, Map::of, List.of());
        List<QueueStats> stats = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            stats.add(new QueueStats(
                    "tenant-" + i,
                    Map.of(ExecutionState.AVAILABLE, (long) i),
                    i,
                    Duration.ZERO,
                    0,
                    false,
                    false,
                    Instant.EPOCH));
        }

        m.queueStats(stats);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.write(out);

        Matcher labels = Pattern.compile("worker_queue_depth\\{queue=\"([^\"]+)\"}")
                .matcher(out.toString(StandardCharsets.UTF_8));
        List<String> shown = new ArrayList<>();
        while (labels.find()) {
            shown.add(labels.group(1));
        }
        assertThat(shown).hasSize(100).contains("tenant-4999", "tenant-4900").doesNotContain("tenant-4899");
        assertThat(shown.stream().collect(Collectors.toSet())).hasSize(100);
    }

    @Test
    void withoutTracingEveryScraperGetsTheTextFormatWhateverItOffers() throws Exception {
        PrometheusMetrics m = new PrometheusMetrics(() -> 0, 4, Map::of, List.of("jobs"));
        m.tracing(Tracing.OFF);
        try (TraceSpan.Scope ignored = TraceSpan.OFF.makeCurrent()) {
            m.executionEnded(
                    new ExecutionEvent(1, "wf", "jobs", 1, 1), AttemptOutcome.SUCCEEDED, Duration.ofMillis(30), null);
        }

        // Prometheus offers OpenMetrics first in every scrape; with no exemplars to carry, the
        // format it has always scraped stays.
        for (String accept :
                new String[] {null, "text/plain", "*/*", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5"
                }) {
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            assertThat(m.write(plain, accept)).isEqualTo(m.contentType()).startsWith("text/plain; version=0.0.4");
            assertThat(plain.toString(StandardCharsets.UTF_8))
                    .contains("worker_job_duration_seconds_bucket{le=\"0.05\"} 1")
                    .doesNotContain(" # {")
                    .doesNotContain("# EOF");
        }
    }

    @Test
    void emptyPollsFallInTheZeroBucketTheDashboardSubtracts() throws Exception {
        PrometheusMetrics m = new PrometheusMetrics(() -> 0, 4, Map::of, List.of("jobs"));
        m.claimed(8, 0);
        m.claimed(8, 0);
        m.claimed(8, 5);

        // deploy/grafana's Claims panel reads claims that got work as count minus this bucket.
        assertThat(text(m))
                .contains("worker_claim_batch_size_bucket{le=\"0.0\"} 2")
                .contains("worker_claim_batch_size_count 3")
                .contains("worker_claim_batch_size_sum 5.0");
    }

    private static String text(PrometheusMetrics m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.write(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static double v(String text, String name, String queue) {
        return PrometheusText.parse(text)
                .get(name)
                .value(name, Map.of("queue", queue))
                .orElseThrow(() -> new AssertionError(name + " has no series for queue " + queue));
    }

    private static QueueStats stats(String queue, long available, long due, Duration oldest) {
        return new QueueStats(
                queue, Map.of(ExecutionState.AVAILABLE, available), due, oldest, 0, false, false, Instant.EPOCH);
    }

    @Test
    void theAgeOfTheQueueFiguresGrowsUntilTheyAreReadAgain() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(5_000_000_000L);
        PrometheusMetrics m = new PrometheusMetrics(() -> 0, 4, Map::of, List.of("jobs"), now::get);

        assertThat(age(m)).isZero();
        now.addAndGet(2_500_000_000L);
        assertThat(age(m)).as("never read: since the start").isEqualTo(2.5);

        m.queueStats(List.of(stats("jobs", 7, 5, Duration.ofSeconds(3))));
        assertThat(age(m)).isZero();
        now.addAndGet(40_000_000_000L);
        String stale = text(m);
        assertThat(age(m))
                .as("reads failing: the depth keeps its last value, the age says how old")
                .isEqualTo(40.0);
        assertThat(v(stale, "worker_queue_depth", "jobs")).isEqualTo(5.0);

        m.queueStats(List.of(stats("jobs", 0, 0, Duration.ZERO)));
        assertThat(age(m)).isZero();
    }

    private static double age(PrometheusMetrics m) throws Exception {
        return PrometheusText.parse(text(m))
                .get("worker_queue_stats_age_seconds")
                .value("worker_queue_stats_age_seconds", Map.of())
                .orElseThrow();
    }

    @Test
    void servedQueuesReadZeroBeforeAnyStatisticsAndWhenUncounted() throws Exception {
        PrometheusMetrics m = new PrometheusMetrics(() -> 0, 4, Map::of, List.of("jobs", "mail"));

        String fresh = text(m);
        for (String q : List.of("jobs", "mail")) {
            assertThat(v(fresh, "worker_queue_depth", q)).isZero();
            assertThat(v(fresh, "worker_queue_lag_seconds", q)).isZero();
            assertThat(v(fresh, "worker_queue_scheduled", q)).isZero();
            assertThat(v(fresh, "worker_queue_paused", q)).isZero();
            assertThat(PrometheusText.parse(fresh)
                            .get("worker_queue_executions")
                            .value("worker_queue_executions", Map.of("queue", q, "state", "available")))
                    .contains(0.0);
        }

        // Statistics name only the busy queue (and one this worker does not serve).
        m.queueStats(List.of(stats("jobs", 7, 5, Duration.ofMillis(42_500)), stats("other", 1, 1, Duration.ZERO)));
        String counted = text(m);
        assertThat(v(counted, "worker_queue_depth", "jobs")).isEqualTo(5.0);
        assertThat(v(counted, "worker_queue_lag_seconds", "jobs")).isEqualTo(42.5);
        assertThat(v(counted, "worker_queue_scheduled", "jobs")).isEqualTo(2.0);
        assertThat(v(counted, "worker_queue_depth", "mail")).isZero();
        assertThat(v(counted, "worker_queue_lag_seconds", "mail")).isZero();
        assertThat(v(counted, "worker_queue_depth", "other")).isEqualTo(1.0);
        assertThat(v(counted, "worker_queue_paused", "jobs")).isZero();

        // A paused queue's due executions still count; the paused gauge says no worker takes them.
        m.queueStats(List.of(new QueueStats(
                "jobs",
                Map.of(ExecutionState.AVAILABLE, 3L),
                3,
                Duration.ofSeconds(9),
                0,
                false,
                true,
                Instant.EPOCH)));
        String paused = text(m);
        assertThat(v(paused, "worker_queue_depth", "jobs")).isEqualTo(3.0);
        assertThat(v(paused, "worker_queue_paused", "jobs")).isEqualTo(1.0);
        assertThat(v(paused, "worker_queue_paused", "mail")).isZero();
    }

    @Test
    void aLimitedQueueHasItsLimitAsAGaugeAndAQueueWithoutOneHasNoSeries() throws Exception {
        PrometheusMetrics m = new PrometheusMetrics(() -> 0, 4, Map::of, List.of("api", "jobs"));
        assertThat(text(m)).doesNotContain("worker_queue_limit{");

        m.queueLimits(Map.of("api", 5));
        String t = text(m);

        assertThat(v(t, "worker_queue_limit", "api")).isEqualTo(5.0);
        assertThat(t).doesNotContain("worker_queue_limit{queue=\"jobs\"}");
        m.queueLimits(Map.of());
        assertThat(text(m)).as("a lifted limit leaves no series").doesNotContain("worker_queue_limit{");
    }

    @Test
    void servedQueuesAreShownEvenWhenBusierQueuesFillTheCap() throws Exception {
        PrometheusMetrics m = new PrometheusMetrics(() -> 0, 4, Map::of, List.of("quiet"));
        List<QueueStats> stats = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            stats.add(stats("tenant-" + i, 1000 + i, 1000 + i, Duration.ZERO));
        }
        m.queueStats(stats);

        String t = text(m);
        assertThat(v(t, "worker_queue_depth", "quiet")).isZero();
        assertThat(Pattern.compile("worker_queue_depth\\{").matcher(t).results().count())
                .isEqualTo(100);
    }
}
