package io.nebula.worker.observe;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.QueueStats;
import io.nebula.worker.queue.RescueResult;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmNativeMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The worker's Prometheus metrics, fed by {@link WorkerListener} events. The five contract metrics
 * keep their exact names; the rest show trouble coming (retries, lost leases, rescues,
 * quarantines, heartbeat failures, claim sizes, queue age, pool use). Labels are bounded sets
 * (queue, outcome, action, state): never an execution id; at most {@value #MAX_QUEUES} queues. Queue depth comes from statistics the
 * worker refreshes at an interval, so a scrape never queries the database.
 *
 * <p>With tracing on, the histograms that time attempts, node tries and queue waits carry
 * exemplars: the trace and span ids of the sampled span current when the value was observed (see
 * {@link TraceSpan#makeCurrent()}). The Prometheus text format, served by default, has no room for
 * them; with tracing on, a scraper that accepts {@code application/openmetrics-text} gets
 * OpenMetrics with the exemplars.
 *
 * <p>Every queue the worker serves has its per-queue series from the first scrape on, reading 0
 * until statistics say otherwise: an autoscaler reading {@code worker_queue_depth} or {@code
 * worker_queue_lag_seconds} of an idle queue gets a value, not an absent series.
 */
public final class PrometheusMetrics implements WorkerListener {
    /** Most queues shown in the per-queue gauges. */
    static final int MAX_QUEUES = 100;

    private static final double[] DURATION_BUCKETS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final OpenMetricsTextFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();
    private final List<String> served;
    private volatile List<QueueStats> stats;
    /** Reads the monotonic clock, in nanoseconds. */
    private final LongSupplier nanoTime;
    /** When the per-queue figures were last read from the database (at first: when this was made). */
    private volatile long statsReadNanos;
    /** The limits on running executions of the queues that have one, by queue. */
    private volatile Map<String, Integer> limits = Map.of();

    private volatile LongSupplier droppedSpans = () -> 0;
    /** Whether spans can be current at all: off, observing never looks for an exemplar. */
    private volatile boolean exemplars;

    private final Counter processed;
    private final Counter failed;
    private final Histogram duration;
    private final Counter attempts;
    private final Counter retries;
    private final Counter leaseLost;
    private final Counter rescued;
    private final Counter quarantined;
    private final Counter pruned;
    private final Histogram claimBatch;
    private final Counter heartbeats;
    private final Counter heartbeatFailures;
    private final Histogram queueWait;
    private final Histogram nodeDuration;
    private final Gauge leader;
    private final Counter scheduleFires;
    private final Counter scheduleSkips;
    private final Histogram scheduleLag;

    /**
     * @param activeJobs executions in flight now
     * @param concurrency the configured slots
     * @param poolUsage connection pool use by state (active, idle, pending); may be empty
     * @param servedQueues the queues this worker claims from: always shown, 0 until counted
     */
    public PrometheusMetrics(
            IntSupplier activeJobs,
            int concurrency,
            Supplier<java.util.Map<String, Integer>> poolUsage,
            List<String> servedQueues) {
        this(activeJobs, concurrency, poolUsage, servedQueues, System::nanoTime);
    }

    /** As the public constructor, reading the monotonic clock through {@code nanoTime}. */
    PrometheusMetrics(
            IntSupplier activeJobs,
            int concurrency,
            Supplier<java.util.Map<String, Integer>> poolUsage,
            List<String> servedQueues,
            LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.statsReadNanos = nanoTime.getAsLong();
        this.served = List.copyOf(new java.util.LinkedHashSet<>(servedQueues));
        this.stats = shown(List.of());
        processed = Counter.builder()
                .name("worker_jobs_processed_total")
                .help("Executions this worker brought to a terminal state (succeeded, failed or cancelled)")
                .register(registry);
        failed = Counter.builder()
                .name("worker_jobs_failed_total")
                .help("Executions this worker brought to the failed state")
                .register(registry);
        duration = Histogram.builder()
                .name("worker_job_duration_seconds")
                .help("Time from claim to written outcome of each attempt")
                .classicOnly()
                .classicUpperBounds(DURATION_BUCKETS)
                .register(registry);
        GaugeWithCallback.builder()
                .name("worker_active_jobs")
                .help("Executions running on this worker now")
                .callback(cb -> cb.call(activeJobs.getAsInt()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("worker_queue_depth")
                .help("Executions due to run and waiting for a worker, per queue (refreshed every check interval)")
                .labelNames("queue")
                .callback(cb -> {
                    for (QueueStats s : stats) {
                        cb.call(s.dueAvailable(), s.queue());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("worker_queue_scheduled")
                .help("Executions scheduled for later (delays, retry backoff, durable waits), per queue")
                .labelNames("queue")
                .callback(cb -> {
                    for (QueueStats s : stats) {
                        cb.call(Math.max(0, s.count(ExecutionState.AVAILABLE) - s.dueAvailable()), s.queue());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("worker_queue_oldest_age_seconds")
                .help("How long the oldest due execution has waited, per queue")
                .labelNames("queue")
                .callback(cb -> {
                    for (QueueStats s : stats) {
                        cb.call(s.oldestDueAge().toMillis() / 1000.0, s.queue());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("worker_queue_lag_seconds")
                .help("Age of the oldest due execution, per queue (0 when none is due; refreshed every check "
                        + "interval): the second scaling signal beside worker_queue_depth")
                .labelNames("queue")
                .callback(cb -> {
                    for (QueueStats s : stats) {
                        cb.call(s.oldestDueAge().toMillis() / 1000.0, s.queue());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("worker_queue_paused")
                .help("1 while the queue is paused (its due executions count in worker_queue_depth but no worker"
                        + " claims them), else 0, per queue")
                .labelNames("queue")
                .callback(cb -> {
                    for (QueueStats s : stats) {
                        cb.call(s.paused() ? 1 : 0, s.queue());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("worker_queue_limit")
                .help("The most executions of the queue running at once across all workers (queues limit); no"
                        + " series for a queue without a limit")
                .labelNames("queue")
                .callback(cb -> limits.forEach((queue, n) -> cb.call(n, queue)))
                .register(registry);
        GaugeWithCallback.builder()
                .name("worker_queue_executions")
                .help("Unfinished executions per queue and state (available, running; counts are capped, see "
                        + "worker_queue_stats_capped)")
                .labelNames("queue", "state")
                .callback(cb -> {
                    for (QueueStats s : stats) {
                        cb.call(s.count(ExecutionState.AVAILABLE), s.queue(), ExecutionState.AVAILABLE.dbName());
                        cb.call(s.count(ExecutionState.RUNNING), s.queue(), ExecutionState.RUNNING.dbName());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("worker_queue_stats_capped")
                .help("1 when the last statistics hit their row cap and counts are lower bounds")
                .callback(cb -> cb.call(stats.stream().anyMatch(QueueStats::capped) ? 1 : 0))
                .register(registry);
        GaugeWithCallback.builder()
                .name("worker_queue_stats_age_seconds")
                .help("Seconds since the per-queue figures were last read from the database (since the start"
                        + " before the first read): they keep their last values while reads fail")
                .callback(cb -> cb.call((nanoTime.getAsLong() - statsReadNanos) / 1e9))
                .register(registry);
        GaugeWithCallback.builder()
                .name("worker_concurrency")
                .help("Configured execution slots of this worker")
                .callback(cb -> cb.call(concurrency))
                .register(registry);
        GaugeWithCallback.builder()
                .name("worker_db_pool_connections")
                .help("Database connection pool connections by state")
                .labelNames("state")
                .callback(cb -> poolUsage.get().forEach((state, n) -> cb.call(n, state)))
                .register(registry);
        attempts = Counter.builder()
                .name("worker_attempts_total")
                .help("Attempts ended, by outcome")
                .labelNames("outcome")
                .register(registry);
        retries = Counter.builder()
                .name("worker_retries_total")
                .help("Failed attempts scheduled to run again")
                .register(registry);
        leaseLost = Counter.builder()
                .name("worker_lease_lost_total")
                .help("Attempts this worker gave up with nothing written: their lease was lost, or their"
                        + " outcome could not be written and the lease is left to expire")
                .register(registry);
        rescued = Counter.builder()
                .name("worker_rescued_total")
                .help("Expired leases rescued by this worker as leader, by result")
                .labelNames("result")
                .register(registry);
        for (String r : List.of("requeued", "failed", "quarantined", "cancelled")) {
            rescued.labelValues(r);
        }
        quarantined = Counter.builder()
                .name("worker_quarantined_total")
                .help("Executions failed as poison because their workers kept dying")
                .register(registry);
        pruned = Counter.builder()
                .name("worker_pruned_total")
                .help("Finished executions deleted after the retention period")
                .register(registry);
        claimBatch = Histogram.builder()
                .name("worker_claim_batch_size")
                .help("Executions received per claim")
                .classicOnly()
                .classicUpperBounds(0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
                .register(registry);
        heartbeats = Counter.builder()
                .name("worker_heartbeats_total")
                .help("Heartbeats sent")
                .register(registry);
        heartbeatFailures = Counter.builder()
                .name("worker_heartbeat_failures_total")
                .help("Heartbeats that failed (database unreachable or erroring)")
                .register(registry);
        queueWait = Histogram.builder()
                .name("worker_queue_wait_seconds")
                .help("Time from when an execution was due to when an attempt started")
                .classicOnly()
                .classicUpperBounds(DURATION_BUCKETS)
                .register(registry);
        nodeDuration = Histogram.builder()
                .name("worker_node_duration_seconds")
                .help("Node run time by action and status")
                .labelNames("action", "status")
                .classicOnly()
                .classicUpperBounds(DURATION_BUCKETS)
                .register(registry);
        leader = Gauge.builder()
                .name("worker_maintenance_leader")
                .help("1 while this worker holds the maintenance leader lease")
                .register(registry);
        scheduleFires = Counter.builder()
                .name("worker_schedule_fires_total")
                .help("Executions this worker's scheduler submitted for cron schedules")
                .register(registry);
        scheduleSkips = Counter.builder()
                .name("worker_schedule_skips_total")
                .help("Schedule fire times skipped by this worker's scheduler, by reason (overlap: the previous "
                        + "execution still ran; missed: past the catch-up after an outage)")
                .labelNames("reason")
                .register(registry);
        for (String r : List.of("overlap", "missed")) {
            scheduleSkips.labelValues(r);
        }
        scheduleLag = Histogram.builder()
                .name("worker_schedule_lag_seconds")
                .help("Time from a schedule's fire time to the submit of its execution")
                .classicOnly()
                .classicUpperBounds(DURATION_BUCKETS)
                .register(registry);
        CounterWithCallback.builder()
                .name("worker_trace_spans_dropped_total")
                .help("OpenTelemetry spans lost: no room in the export queue, or their export failed (0 while "
                        + "tracing is off)")
                .callback(cb -> cb.call(droppedSpans.getAsLong()))
                .register(registry);
        registerJvmMetrics(registry);
    }

    /**
     * The client library's JVM metrics ({@code jvm_*}, {@code process_*}). The native memory ones
     * only report when the JVM tracks native memory ({@code -XX:NativeMemoryTracking}), and
     * registering them runs a diagnostic command (about 40 ms of start-up), so they are registered
     * only then.
     */
    private static void registerJvmMetrics(PrometheusRegistry registry) {
        JvmThreadsMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmMemoryPoolAllocationMetrics.builder().register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
        if (nativeMemoryTracked()) {
            JvmNativeMemoryMetrics.builder().register(registry);
        }
    }

    /** Whether the JVM tracks native memory, as it runs (options files and later flags included). */
    private static boolean nativeMemoryTracked() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hotspot != null
                    && !"off".equals(hotspot.getVMOption("NativeMemoryTracking").getValue());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Follows {@code tracing}: counts the spans it drops in {@code worker_trace_spans_dropped_total}
     * and, when it is on, gives the duration histograms exemplars of its sampled spans.
     */
    public void tracing(Tracing tracing) {
        this.droppedSpans = tracing::droppedSpans;
        this.exemplars = tracing.enabled();
    }

    /** Writes the Prometheus text exposition of every metric (no exemplars). */
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    /** The content type of {@link #write(OutputStream)}. */
    public String contentType() {
        return writer.getContentType();
    }

    /**
     * Writes every metric: OpenMetrics (with exemplars) when tracing is on and the scraper's {@code
     * Accept} header offers {@code application/openmetrics-text}, else the Prometheus text format.
     * Prometheus offers OpenMetrics in every scrape, so without tracing (no exemplars to carry) the
     * format does not change under it.
     *
     * @return the content type written
     */
    public String write(OutputStream out, String accept) throws IOException {
        if (exemplars && accept != null && openMetrics.accepts(accept)) {
            openMetrics.write(out, registry.scrape());
            return openMetrics.getContentType();
        }
        write(out);
        return contentType();
    }

    /** Observes {@code seconds}, with the current sampled span as exemplar when there is one. */
    private void observe(DistributionDataPoint histogram, double seconds) {
        Labels exemplar = exemplars ? OtelSpan.currentExemplar() : null;
        if (exemplar == null) {
            histogram.observe(seconds);
        } else {
            histogram.observeWithExemplar(seconds, exemplar);
        }
    }

    @Override
    public void claimed(int requested, int received) {
        claimBatch.observe(received);
    }

    @Override
    public void executionStarted(ExecutionEvent e, Duration queued) {
        observe(queueWait, seconds(queued));
    }

    @Override
    public void executionEnded(ExecutionEvent e, AttemptOutcome outcome, Duration took, String error) {
        attempts.labelValues(outcome.name().toLowerCase(java.util.Locale.ROOT)).inc();
        if (outcome != AttemptOutcome.LEASE_LOST) {
            observe(duration, seconds(took));
        }
        if (outcome.terminal()) {
            processed.inc();
        }
        if (outcome == AttemptOutcome.FAILED) {
            failed.inc();
        }
        if (outcome == AttemptOutcome.RETRY_SCHEDULED) {
            retries.inc();
        }
    }

    @Override
    public void nodeEnded(ExecutionEvent e, String nodeId, String action, String status, Duration took, String error) {
        observe(nodeDuration.labelValues(action, status), seconds(took));
    }

    @Override
    public void leaseLost(ExecutionEvent e) {
        leaseLost.inc();
    }

    @Override
    public void heartbeat(boolean ok, int leases, Duration took) {
        heartbeats.inc();
        if (!ok) {
            heartbeatFailures.inc();
        }
    }

    @Override
    public void rescued(RescueResult r) {
        rescued.labelValues("requeued").inc(r.requeued());
        rescued.labelValues("failed").inc(r.failed());
        rescued.labelValues("quarantined").inc(r.quarantined());
        rescued.labelValues("cancelled").inc(r.cancelled());
        quarantined.inc(r.quarantined());
    }

    @Override
    public void pruned(int count) {
        pruned.inc(count);
    }

    @Override
    public void queueLimits(Map<String, Integer> limits) {
        this.limits = Map.copyOf(limits);
    }

    @Override
    public void queueStats(List<QueueStats> s) {
        this.stats = shown(s);
        this.statsReadNanos = nanoTime.getAsLong();
    }

    /**
     * The statistics the per-queue gauges show: every served queue (counted or not yet), then the
     * other queues up to {@value #MAX_QUEUES} in all. Submitters choose queue names, and each one
     * is a label value: past the cap, the queues with the most unfinished executions are shown.
     */
    private List<QueueStats> shown(List<QueueStats> s) {
        Map<String, QueueStats> byName = new LinkedHashMap<>();
        for (QueueStats q : s) {
            byName.put(q.queue(), q);
        }
        List<QueueStats> out = new ArrayList<>();
        Instant at = s.isEmpty() ? Instant.EPOCH : s.get(0).computedAt();
        for (String q : served) {
            QueueStats counted = byName.remove(q);
            out.add(counted != null ? counted : empty(q, at));
        }
        int room = Math.max(0, MAX_QUEUES - out.size());
        if (byName.size() <= room) {
            out.addAll(byName.values());
        } else {
            byName.values().stream()
                    .sorted(Comparator.comparingLong((QueueStats q) ->
                                    q.count(ExecutionState.AVAILABLE) + q.count(ExecutionState.RUNNING))
                            .reversed()
                            .thenComparing(QueueStats::queue))
                    .limit(room)
                    .forEach(out::add);
        }
        return List.copyOf(out);
    }

    private static QueueStats empty(String queue, Instant at) {
        return new QueueStats(queue, Map.of(), 0, Duration.ZERO, 0, false, false, at);
    }

    @Override
    public void scheduleFired(String schedule, Duration lag) {
        scheduleFires.inc();
        scheduleLag.observe(seconds(lag));
    }

    @Override
    public void scheduleSkipped(String schedule, String reason, long count) {
        scheduleSkips.labelValues(reason).inc(count);
    }

    @Override
    public void leadership(boolean isLeader) {
        leader.set(isLeader ? 1 : 0);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
