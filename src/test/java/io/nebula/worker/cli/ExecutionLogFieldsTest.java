package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.cli.logging.CapturedLog;
import io.nebula.worker.config.ConfigLoader;
import io.nebula.worker.config.FlagOverrides;
import io.nebula.worker.config.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log lines of an attempt, from a worker configured as the command line configures it, carry the
 * execution's id, attempt and lease epoch, and a node's lines its id, although the worker writes
 * them to the MDC only when an attempt logs: a node on a thread of its own (the log node) and a
 * line of the runtime on the attempt's thread (the failing node's retry).
 */
class ExecutionLogFieldsTest {
    @TempDir
    Path tmp;

    private WorkerApp.Running worker;

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.worker().worker().stop(Duration.ZERO);
        }
    }

    private static CliRun cli(Path config, String... args) {
        return CliRun.withConfig(config, Map.of("NEBULA_LOG", "nebula_worker=info"), args);
    }

    @Test
    void aLogNodesLineCarriesTheExecutionAndTheNode() throws Exception {
        Path config = tmp.resolve("worker.toml");
        Files.writeString(
                config,
                "[worker]\npoll_interval_ms = 50\n[database]\nurl = \"sqlite:" + tmp.resolve("w.db")
                        + "\"\n[health]\nenabled = false\n");
        Path workflow = tmp.resolve("say.yaml");
        Files.writeString(workflow, """
                name: say
                nodes:
                  - id: first
                    action: fail
                    params: { message: "not yet", retryable: true, times: 2, per_node_try: true }
                    retry: { attempts: 3, backoff_ms: 10 }
                  - id: speak
                    action: log
                    depends_on: [first]
                    params: { message: "hello from the speak node" }
                """);
        try (CapturedLog log = CapturedLog.open()) {
            assertThat(cli(config, "migrate").exitCode()).isZero();
            WorkerConfig wc = new ConfigLoader(Map.of()).load(config, FlagOverrides.none());
            // The command line's log set-up, which makes the fields wait for a log call.
            assertThat(io.nebula.worker.observe.LogContext.lazy()).isTrue();
            worker = WorkerApp.start(wc, List.of());
            CliRun run = cli(config, "submit", workflow.toString(), "--wait", "--json");
            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            long id = io.nebula.worker.cli.JsonViews.JSON
                    .readTree(run.out())
                    .get("id")
                    .asLong();

            List<String> lines = log.lines().stream()
                    .filter(l -> l.contains("hello from the speak node"))
                    .toList();
            assertThat(lines).hasSize(2); // text and JSON
            assertThat(lines.get(0))
                    .contains("execution_id=" + id)
                    .contains("attempt=1")
                    .contains("lease_epoch=1")
                    .contains("node_id=speak");
            assertThat(lines.get(1)).contains("\"execution_id\":" + id + ",").contains("\"node_id\":\"speak\"");
            // Logged by the runtime: the first try's failure on the attempt's own thread, where the
            // node ran inline; the second's on the thread its retry after a backoff runs on.
            assertThat(log.lines())
                    .filteredOn(l -> l.contains("node try failed, retrying") && !l.startsWith("{"))
                    .hasSize(2)
                    .allSatisfy(l -> assertThat(l).contains("attempt=1").contains("lease_epoch=1"));
        }
    }
}
