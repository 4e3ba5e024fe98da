package io.nebula.worker.bench;

import io.nebula.worker.config.WorkerConfig;
import java.time.Duration;

/**
 * The worker settings one run varies, applied on top of the loaded configuration so anything the
 * user configured and the run does not vary (pool size, timings, limits) still holds.
 *
 * @param concurrency executions run at once
 * @param batchSize the most executions claimed per statement
 * @param listen push wake-ups (LISTEN/NOTIFY) or poll only
 * @param pollInterval the idle poll period, or {@code null} to keep the configured one
 * @param traceEndpoint an OTLP/HTTP receiver every span goes to (always sampled), or {@code null}:
 *     no tracing
 * @param loopbackHttp whether {@code http.request} may call loopback addresses (the tracing
 *     scenario's HTTP workflow calls a {@link LoopbackApi}); applied to in-process workers only, the
 *     worker processes' TOML ({@link #toml}) does not carry it
 */
record RunConfig(
        int concurrency,
        int batchSize,
        boolean listen,
        Duration pollInterval,
        String traceEndpoint,
        boolean loopbackHttp) {

    static RunConfig of(int concurrency, int batchSize) {
        return new RunConfig(concurrency, batchSize, true, null, null, false);
    }

    RunConfig listen(boolean l) {
        return new RunConfig(concurrency, batchSize, l, pollInterval, traceEndpoint, loopbackHttp);
    }

    RunConfig traced(String endpoint) {
        return new RunConfig(concurrency, batchSize, listen, pollInterval, endpoint, loopbackHttp);
    }

    RunConfig withLoopbackHttp() {
        return new RunConfig(concurrency, batchSize, listen, pollInterval, traceEndpoint, true);
    }

    private WorkerConfig.Http http(WorkerConfig.Http base) {
        return loopbackHttp ? new WorkerConfig.Http(true, base.maxResponseBytes(), base.timeout()) : base;
    }

    private WorkerConfig.Tracing tracing() {
        if (traceEndpoint == null) {
            return new WorkerConfig.Tracing(false);
        }
        WorkerConfig.Otel o = WorkerConfig.Otel.OFF.withEndpoint(traceEndpoint, Duration.ofMillis(200));
        return new WorkerConfig.Tracing(
                false,
                new WorkerConfig.Otel(
                        o.endpoint(),
                        o.headers(),
                        o.timeout(),
                        "nebula-bench",
                        o.resourceAttributes(),
                        "always_on",
                        1.0,
                        o.maxQueueSize(),
                        o.maxExportBatchSize(),
                        o.scheduleDelay()));
    }

    /**
     * The in-process worker's configuration: this run's values on {@code base}, the scratch
     * database, no health port and no per-execution log records (the benchmark counts through its
     * own listener); OpenTelemetry spans only when this run has a trace endpoint.
     */
    WorkerConfig apply(WorkerConfig base, ScratchDatabase db, String workerId) {
        WorkerConfig.Worker w = base.worker();
        WorkerConfig.Queue q = base.queue();
        return new WorkerConfig(
                new WorkerConfig.Worker(
                        concurrency,
                        workerId,
                        pollInterval == null ? w.pollInterval() : pollInterval,
                        w.heartbeatInterval(),
                        w.shutdownTimeout(),
                        w.queues()),
                new WorkerConfig.Queue(
                        batchSize,
                        q.visibilityTimeout(),
                        q.maxRetries(),
                        listen,
                        q.maxInputBytes(),
                        q.quarantineAfter(),
                        q.retention(),
                        q.retryBackoff(),
                        q.retryBackoffMax()),
                new WorkerConfig.Database(db.url(), base.database().maxConnections(), db.schema()),
                new WorkerConfig.Health(
                        false, 0, base.health().bind(), base.health().checkInterval(), false),
                tracing(),
                base.log(),
                base.runtime(),
                http(base.http()),
                WorkerConfig.Console.defaults(),
                base.limits(),
                base.secrets());
    }

    /** The same settings as a TOML file for a worker process, whose health port is {@code port}. */
    String toml(ScratchDatabase db, String workerId, int healthPort, int maxConnections) {
        StringBuilder t = new StringBuilder();
        t.append("# written by nebula-worker bench for one run\n");
        t.append("[worker]\n");
        t.append("concurrency = ").append(concurrency).append('\n');
        t.append("worker_id = \"").append(workerId).append("\"\n");
        if (pollInterval != null) {
            t.append("poll_interval_ms = ").append(pollInterval.toMillis()).append('\n');
        }
        t.append("[queue]\n");
        t.append("batch_size = ").append(batchSize).append('\n');
        t.append("listen = ").append(listen).append('\n');
        t.append("[database]\n");
        t.append("schema = \"").append(db.schema()).append("\"\n");
        t.append("max_connections = ").append(maxConnections).append('\n');
        t.append("[health]\n");
        t.append("port = ").append(healthPort).append('\n');
        t.append("bind = \"127.0.0.1\"\n");
        t.append("[tracing]\n");
        t.append("enabled = false\n");
        t.append("[log]\n");
        t.append("filter = \"nebula_worker=warn\"\n");
        return t.toString();
    }
}
