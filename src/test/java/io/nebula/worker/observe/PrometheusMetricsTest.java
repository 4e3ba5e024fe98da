package io.nebula.worker.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.QueueStats;
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

/** Queue names are chosen by submitters; the label values they create stay bounded. */
class PrometheusMetricsTest {
    @Test
    void perQueueGaugesShowAtMostTheBusiestHundredQueues() throws Exception {
        PrometheusMetrics m = new PrometheusMetrics(() -> 0, 4, Map::of);
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
}
