package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.testing.PrometheusText;
import io.nebula.worker.testing.Terminal;
import io.nebula.worker.testing.WorkerLauncher;
import io.nebula.worker.testing.WorkerProcess;
import io.nebula.worker.testing.WorkerSettings;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The process harness itself: start, readiness, metrics, SIGSTOP/SIGCONT, SIGTERM. */
@Tag("process")
class WorkerProcessHarnessTest {
    @Test
    void startsProbesPausesAndStopsARealWorker() throws Exception {
        try (PostgresTestStore db = new PostgresTestStore();
                WorkerLauncher launcher = new WorkerLauncher(WorkerLauncher.runDir("harness", "one"), db.workerEnv())) {
            WorkerProcess w = launcher.start(
                            "harness", WorkerSettings.fastTimings().with("database.schema", db.schema()))
                    .awaitReady(Duration.ofSeconds(90));
            assertThat(w.instanceId()).startsWith("harness@").endsWith("-" + w.pid());
            assertThat(w.status("/health")).isEqualTo(200);

            WorkflowClient c = db.client(3);
            long id = c.submit(FaultWorkflows.load(c, FaultWorkflows.QUICK), "{}", SubmitOptions.defaults())
                    .executionId();
            assertThat(Terminal.await(c.store(), id, Duration.ofSeconds(30)).state())
                    .isEqualTo(ExecutionState.SUCCEEDED);
            Map<String, PrometheusText.Family> m = w.metrics();
            assertThat(m.get("worker_attempts_total").value("worker_attempts_total", Map.of("outcome", "succeeded")))
                    .contains(1.0);
            assertThat(w.log().messages("execution ended")).singleElement().satisfies(e -> {
                assertThat(e.number("execution_id")).isEqualTo(id);
                assertThat(e.text("outcome")).isEqualTo("succeeded");
            });

            w.pause();
            assertThat(w.status("/health"))
                    .as("a stopped process answers nothing")
                    .isEqualTo(-1);
            w.resume();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> w.status("/health") == 200);

            w.terminate();
            assertThat(w.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(w.log().messages("nebula-worker stopped cleanly")).hasSize(1);
        }
    }
}
