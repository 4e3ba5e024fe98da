package io.nebula.worker.testing;

import io.nebula.worker.config.DatabaseUrl;
import io.nebula.worker.config.WorkerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/** Configurations for in-process tests: seed defaults with short timings. */
public final class TestConfigs {
    private TestConfigs() {}

    public static WorkerConfig sqlite(Path file) {
        return with(new DatabaseUrl.Sqlite(file), "nebula");
    }

    public static WorkerConfig postgres(String jdbcUrl, Properties props, String schema) {
        return with(new DatabaseUrl.Postgres(jdbcUrl, props, jdbcUrl), schema);
    }

    /** {@code c} with the worker claiming only from {@code queues}. */
    public static WorkerConfig withQueues(WorkerConfig c, List<String> queues) {
        WorkerConfig.Worker w = c.worker();
        return new WorkerConfig(
                new WorkerConfig.Worker(
                        w.concurrency(),
                        w.workerId(),
                        w.pollInterval(),
                        w.heartbeatInterval(),
                        w.shutdownTimeout(),
                        queues),
                c.queue(),
                c.database(),
                c.health(),
                c.tracing(),
                c.log(),
                c.runtime(),
                c.http(),
                c.console(),
                c.limits(),
                c.secrets());
    }

    /** {@code c} with secrets looked up as {@code s} says. */
    public static WorkerConfig withSecrets(WorkerConfig c, WorkerConfig.Secrets s) {
        return new WorkerConfig(
                c.worker(),
                c.queue(),
                c.database(),
                c.health(),
                c.tracing(),
                c.log(),
                c.runtime(),
                c.http(),
                c.console(),
                c.limits(),
                s);
    }

    /**
     * {@code c} exporting OpenTelemetry spans to {@code endpoint} in batches sent every 50 ms,
     * each export given {@code timeout}.
     */
    public static WorkerConfig withOtel(WorkerConfig c, String endpoint, Duration timeout) {
        WorkerConfig.Otel o = c.tracing().otel().withEndpoint(endpoint, Duration.ofMillis(50));
        o = new WorkerConfig.Otel(
                o.endpoint(),
                o.headers(),
                timeout,
                "nebula-worker-test",
                java.util.Map.of("deployment.environment", "test"),
                o.sampler(),
                o.samplerRatio(),
                o.maxQueueSize(),
                o.maxExportBatchSize(),
                o.scheduleDelay());
        return new WorkerConfig(
                c.worker(),
                c.queue(),
                c.database(),
                c.health(),
                new WorkerConfig.Tracing(c.tracing().enabled(), o),
                c.log(),
                c.runtime(),
                c.http(),
                c.console(),
                c.limits());
    }

    private static WorkerConfig with(DatabaseUrl url, String schema) {
        return new WorkerConfig(
                new WorkerConfig.Worker(
                        4,
                        "test-pool",
                        Duration.ofMillis(50),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5),
                        List.of("default")),
                new WorkerConfig.Queue(
                        10,
                        Duration.ofSeconds(5),
                        3,
                        true,
                        1024 * 1024,
                        3,
                        Duration.ofDays(7),
                        Duration.ofMillis(100),
                        Duration.ofSeconds(2)),
                new WorkerConfig.Database(url, 8, schema),
                new WorkerConfig.Health(false, 0, "127.0.0.1", Duration.ofMillis(200), true),
                new WorkerConfig.Tracing(false),
                new WorkerConfig.Log("nebula_worker=info", "text"),
                new WorkerConfig.Runtime(8, Duration.ofSeconds(2), null, 1000),
                new WorkerConfig.Http(true, 1024 * 1024, Duration.ofSeconds(10)),
                WorkerConfig.Console.defaults());
    }
}
