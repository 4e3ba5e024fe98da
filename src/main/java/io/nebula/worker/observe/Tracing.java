package io.nebula.worker.observe;

import io.nebula.worker.config.WorkerConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The worker's OpenTelemetry traces: one trace per execution, begun at submit (or continuing the
 * submitter's), with a span per attempt, a child per node try and a client span per HTTP call.
 * The trace context travels as a W3C {@code traceparent} stored with the execution, so every
 * attempt on whichever worker continues the same trace.
 *
 * <p>Spans are exported over OTLP/HTTP by a batch processor with a bounded queue: ending a span
 * only enqueues it, so a collector that is down or slow never blocks an execution. Spans the queue
 * has no room for, and those of exports that failed, are dropped and counted ({@link
 * #droppedSpans()}). {@link #OFF} (no endpoint configured) makes no spans at all: every span it
 * hands out is {@link TraceSpan#OFF}.
 */
public final class Tracing implements AutoCloseable {
    /** Tracing not configured: no spans, no cost. */
    public static final Tracing OFF = new Tracing(null, null, null, null, Duration.ZERO);

    static final String INSTRUMENTATION = "io.nebula.worker";
    private static final AttributeKey<String> WORKFLOW_NAME = AttributeKey.stringKey("nebula.workflow.name");
    private static final AttributeKey<String> WORKFLOW_HASH = AttributeKey.stringKey("nebula.workflow.hash");
    private static final AttributeKey<String> QUEUE = AttributeKey.stringKey("nebula.queue");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("nebula.attempt");
    private static final AttributeKey<Long> LEASE_EPOCH = AttributeKey.longKey("nebula.lease_epoch");
    private static final AttributeKey<String> WORKER_ID = AttributeKey.stringKey("nebula.worker.id");
    private static final AttributeKey<String> LINK_REASON = AttributeKey.stringKey("nebula.link.reason");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("nebula.outcome");
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<String> ONE_HEADER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    /**
     * The SDK logs through java.util.logging, one SEVERE record with a stack trace per failed
     * export; {@link CountingExporter} says it once in our log instead. Held here because JUL keeps
     * loggers only weakly (a level set on a dropped logger is forgotten).
     */
    private static final java.util.logging.Logger SDK_LOG = java.util.logging.Logger.getLogger("io.opentelemetry");

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final AttemptSpanIds ids;
    private final DropCounter drops;
    private final Duration closePatience;

    private Tracing(
            SdkTracerProvider provider, Tracer tracer, AttemptSpanIds ids, DropCounter drops, Duration closePatience) {
        this.provider = provider;
        this.tracer = tracer;
        this.ids = ids;
        this.drops = drops;
        this.closePatience = closePatience;
    }

    /**
     * Tracing as configured: {@link #OFF} without an endpoint; otherwise an SDK exporting to it.
     *
     * @param instanceId the {@code service.instance.id} resource attribute (the worker id), or
     *     {@code null}
     */
    public static Tracing create(WorkerConfig.Otel c, String instanceId) {
        if (c == null || !c.enabled()) {
            return OFF;
        }
        SDK_LOG.setLevel(java.util.logging.Level.OFF);
        AttributesBuilder attributes = Attributes.builder();
        c.resourceAttributes().forEach(attributes::put);
        attributes.put(AttributeKey.stringKey("service.name"), c.serviceName());
        if (instanceId != null && !c.resourceAttributes().containsKey("service.instance.id")) {
            attributes.put(AttributeKey.stringKey("service.instance.id"), instanceId);
        }
        OtlpHttpSpanExporterBuilder exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(stripSlash(c.endpoint()) + "/v1/traces")
                .setTimeout(c.timeout())
                .setComponentLoader(
                        OtlpHttpSender.loader(ComponentLoader.forClassLoader(Tracing.class.getClassLoader())));
        c.headers().forEach(exporter::addHeader);
        DropCounter drops = new DropCounter();
        BatchSpanProcessor batches = BatchSpanProcessor.builder(new CountingExporter(exporter.build(), drops))
                .setMaxQueueSize(c.maxQueueSize())
                .setMaxExportBatchSize(Math.min(c.maxExportBatchSize(), c.maxQueueSize()))
                .setScheduleDelay(c.scheduleDelay())
                .setExporterTimeout(c.timeout())
                .setMeterProvider(drops.meterProvider())
                .build();
        AttemptSpanIds ids = new AttemptSpanIds();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setIdGenerator(ids)
                .setResource(Resource.getDefault().merge(Resource.create(attributes.build())))
                .setSampler(sampler(c.sampler(), c.samplerRatio()))
                .addSpanProcessor(batches)
                .build();
        return new Tracing(
                provider, provider.get(INSTRUMENTATION), ids, drops, c.timeout().plusSeconds(1));
    }

    static Sampler sampler(String name, double ratio) {
        return switch (name) {
            case "always_on" -> Sampler.alwaysOn();
            case "always_off" -> Sampler.alwaysOff();
            case "traceidratio" -> Sampler.traceIdRatioBased(ratio);
            case "parentbased_always_off" -> Sampler.parentBased(Sampler.alwaysOff());
            case "parentbased_traceidratio" -> Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
            default -> Sampler.parentBased(Sampler.alwaysOn());
        };
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Whether spans are made (an endpoint is configured). */
    public boolean enabled() {
        return tracer != null;
    }

    /**
     * Starts the span of one attempt, continuing the trace of {@code traceparent} (stored at
     * submit); a missing or malformed one starts a new trace.
     */
    public TraceSpan attempt(ExecutionEvent e, String traceparent, String workflowHash, String workerId) {
        return attempt(e, traceparent, workflowHash, workerId, null);
    }

    /**
     * Starts the span of one attempt, continuing the trace of {@code traceparent} (stored at
     * submit); a missing or malformed one starts a new trace. The span's id is derived from the
     * execution id and lease epoch ({@link AttemptSpanIds}); when {@code previous} is given and
     * the trace was continued, the span links to the previous claim's span, its attributes saying
     * why the execution came back ({@code nebula.link.reason}), which attempt and which worker.
     */
    public TraceSpan attempt(
            ExecutionEvent e, String traceparent, String workflowHash, String workerId, PreviousAttempt previous) {
        if (tracer == null) {
            return TraceSpan.OFF;
        }
        Context parent = parent(traceparent);
        SpanBuilder builder = tracer.spanBuilder("execution " + e.workflowName())
                .setSpanKind(SpanKind.CONSUMER)
                .setParent(parent)
                .setAttribute(OtelSpan.EXECUTION_ID, e.executionId())
                .setAttribute(WORKFLOW_NAME, e.workflowName())
                .setAttribute(WORKFLOW_HASH, workflowHash == null ? "" : workflowHash)
                .setAttribute(QUEUE, e.queue())
                .setAttribute(ATTEMPT, e.attempt())
                .setAttribute(LEASE_EPOCH, e.leaseEpoch())
                .setAttribute(WORKER_ID, workerId == null ? "" : workerId);
        SpanContext within = Span.fromContext(parent).getSpanContext();
        if (previous != null && within.isValid()) {
            AttributesBuilder link =
                    Attributes.builder().put(LINK_REASON, previous.reason()).put(LEASE_EPOCH, previous.leaseEpoch());
            if (previous.attempt() > 0) {
                link.put(ATTEMPT, previous.attempt());
            }
            if (previous.workerId() != null) {
                link.put(WORKER_ID, previous.workerId());
            }
            builder.addLink(
                    SpanContext.create(
                            within.getTraceId(),
                            AttemptSpanIds.of(e.executionId(), previous.leaseEpoch()),
                            within.getTraceFlags(),
                            TraceState.getDefault()),
                    link.build());
        }
        Span span = ids.naming(AttemptSpanIds.of(e.executionId(), e.leaseEpoch()), builder::startSpan);
        return new OtelSpan(tracer, span, e.executionId(), OUTCOME);
    }

    /**
     * The trace context to store with a new execution. Continues {@code traceparent} when given
     * (the submitter's), else the caller's current OpenTelemetry span, else begins a new trace.
     * With tracing on, a {@code submit} span is recorded and its context stored, so the attempts
     * hang below it; off, the submitter's context is stored as it is, or a new one is made up.
     *
     * @throws IllegalArgumentException when {@code traceparent} is given but not a valid W3C value
     */
    public String submit(String traceparent, String workflowName, String queue) {
        Context parent;
        if (traceparent != null) {
            parent = parent(traceparent);
            if (!Span.fromContext(parent).getSpanContext().isValid()) {
                throw new IllegalArgumentException("not a W3C traceparent (version-traceid-spanid-flags, e.g. "
                        + "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01): " + traceparent);
            }
        } else if (Span.current().getSpanContext().isValid()) {
            parent = Context.current();
        } else {
            parent = null;
        }
        if (tracer == null) {
            if (parent != null) {
                return format(Span.fromContext(parent).getSpanContext());
            }
            IdGenerator random = IdGenerator.random();
            return format(SpanContext.create(
                    random.generateTraceId(),
                    random.generateSpanId(),
                    TraceFlags.getSampled(),
                    TraceState.getDefault()));
        }
        Span span = tracer.spanBuilder("submit " + workflowName)
                .setSpanKind(SpanKind.PRODUCER)
                .setParent(parent == null ? Context.root() : parent)
                .setAttribute(WORKFLOW_NAME, workflowName)
                .setAttribute(QUEUE, queue)
                .startSpan();
        span.end();
        return format(span.getSpanContext());
    }

    /** Whether {@code traceparent} is a valid W3C trace context. */
    public static boolean valid(String traceparent) {
        return traceparent != null
                && Span.fromContext(parent(traceparent)).getSpanContext().isValid();
    }

    static Context parent(String traceparent) {
        if (traceparent == null) {
            return Context.root();
        }
        return W3C.extract(Context.root(), traceparent.strip(), ONE_HEADER);
    }

    /** The W3C {@code traceparent} naming {@code sc} (version 00), or {@code null} when it is invalid. */
    static String format(SpanContext sc) {
        if (!sc.isValid()) {
            return null;
        }
        return "00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-"
                + sc.getTraceFlags().asHex();
    }

    /** Spans dropped so far: no room in the export queue, or their export failed. */
    public long droppedSpans() {
        return drops == null ? 0 : drops.dropped();
    }

    /** Exports what is queued, waiting at most {@code patience}. */
    public void flush(Duration patience) {
        if (provider != null) {
            provider.forceFlush().join(patience.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Exports what is queued and stops the exporter, waiting at most the export timeout (and a
     * second): a collector that is down delays a stop or a {@code submit} by no more than that.
     */
    @Override
    public void close() {
        if (provider != null) {
            provider.shutdown().join(closePatience.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
