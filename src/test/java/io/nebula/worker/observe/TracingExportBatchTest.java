package io.nebula.worker.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.testing.OtlpReceiver;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configured export batch size bounds how many spans one export request carries. */
class TracingExportBatchTest {
    @Test
    void noExportRequestCarriesMoreSpansThanTheBatchSize() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            WorkerConfig.Otel c = new WorkerConfig.Otel(
                    receiver.endpoint(),
                    Map.of(),
                    Duration.ofSeconds(5),
                    "batch-test",
                    Map.of(),
                    "always_on",
                    1.0,
                    2048,
                    2,
                    Duration.ofSeconds(30));
            try (Tracing tracing = Tracing.create(c, "worker-1")) {
                for (int i = 0; i < 5; i++) {
                    tracing.submit(null, "wf-" + i, "default");
                }
                tracing.flush(Duration.ofSeconds(5));
            }

            assertThat(receiver.spans()).hasSize(5);
            assertThat(receiver.requestSpans())
                    .hasSizeGreaterThanOrEqualTo(3)
                    .allSatisfy(n -> assertThat(n).isBetween(1, 2));
        }
    }
}
