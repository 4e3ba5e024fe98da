package io.nebula.worker.observe;

import io.nebula.worker.queue.SignalWait;
import io.nebula.worker.redact.Redaction;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link TraceSpan} over an OpenTelemetry span; children come from the same tracer.
 *
 * <p>The span made current by {@link #makeCurrent()} is kept in a thread local of this class (its
 * exemplar labels made when first asked for), not in the OpenTelemetry context: an application
 * that embeds the worker with its own OpenTelemetry (or agent) is not affected, and metrics read
 * one field.
 */
final class OtelSpan implements TraceSpan {
    private static final ThreadLocal<OtelSpan> CURRENT = new ThreadLocal<>();
    static final AttributeKey<String> WAIT_KIND = AttributeKey.stringKey("nebula.wait.kind");
    static final AttributeKey<String> WAIT_REASON = AttributeKey.stringKey("nebula.wait.reason");
    static final AttributeKey<Long> WAIT_DELAY = AttributeKey.longKey("nebula.wait.delay_ms");
    static final AttributeKey<List<String>> WAIT_SIGNALS = AttributeKey.stringArrayKey("nebula.wait.signals");
    static final AttributeKey<List<String>> WAIT_NODES = AttributeKey.stringArrayKey("nebula.wait.nodes");
    // One key object per name: the exporter caches a key's UTF-8 bytes on it, so a key made per
    // span would be encoded again for every span.
    static final AttributeKey<Long> EXECUTION_ID = AttributeKey.longKey("nebula.execution.id");
    static final AttributeKey<String> NODE_ID = AttributeKey.stringKey("nebula.node.id");
    static final AttributeKey<String> NODE_ACTION = AttributeKey.stringKey("nebula.node.action");
    static final AttributeKey<Long> NODE_TRY = AttributeKey.longKey("nebula.node.try");
    static final AttributeKey<String> NODE_STATUS = AttributeKey.stringKey("nebula.node.status");
    static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> HTTP_STATUS = AttributeKey.stringKey("nebula.http.status");
    private static final int KEPT_KEYS = 256;
    private static final Map<String, AttributeKey<String>> STRING_KEYS = new ConcurrentHashMap<>();
    private static final Map<String, AttributeKey<Long>> LONG_KEYS = new ConcurrentHashMap<>();

    private final Tracer tracer;
    private final Span span;
    private final long executionId;
    private final AttributeKey<String> statusKey;
    private final AtomicBoolean ended = new AtomicBoolean();
    private Labels exemplar;

    OtelSpan(Tracer tracer, Span span, long executionId, AttributeKey<String> statusKey) {
        this.tracer = tracer;
        this.span = span;
        this.executionId = executionId;
        this.statusKey = statusKey;
    }

    @Override
    public boolean recording() {
        return span.isRecording();
    }

    @Override
    public TraceSpan node(String nodeId, String action, int nodeTry) {
        Span child = tracer.spanBuilder("node " + nodeId)
                .setParent(Context.root().with(span))
                .setAttribute(EXECUTION_ID, executionId)
                .setAttribute(NODE_ID, nodeId)
                .setAttribute(NODE_ACTION, action)
                .setAttribute(NODE_TRY, nodeTry)
                .startSpan();
        return new OtelSpan(tracer, child, executionId, NODE_STATUS);
    }

    @Override
    public TraceSpan httpClient(String method, String url, String host, int port) {
        Span child = tracer.spanBuilder(method)
                .setSpanKind(SpanKind.CLIENT)
                .setParent(Context.root().with(span))
                .setAttribute(EXECUTION_ID, executionId)
                .setAttribute(HTTP_METHOD, method)
                .setAttribute(URL_FULL, Redaction.hideSecrets(url))
                .setAttribute(SERVER_ADDRESS, Redaction.hideSecrets(host))
                .setAttribute(SERVER_PORT, port)
                .startSpan();
        return new OtelSpan(tracer, child, executionId, HTTP_STATUS);
    }

    @Override
    public String traceparent() {
        return Tracing.format(span.getSpanContext());
    }

    @Override
    public String traceId() {
        SpanContext sc = span.getSpanContext();
        return sc.isValid() ? sc.getTraceId() : null;
    }

    @Override
    public String spanId() {
        SpanContext sc = span.getSpanContext();
        return sc.isValid() ? sc.getSpanId() : null;
    }

    /**
     * The exemplar labels ({@code trace_id}, {@code span_id}) of the sampled span current on this
     * thread, or {@code null}.
     */
    static Labels currentExemplar() {
        OtelSpan current = CURRENT.get();
        return current == null ? null : current.exemplar();
    }

    /** This span's exemplar labels, made once (an attempt's span is made current twice). */
    private Labels exemplar() {
        Labels labels = exemplar;
        if (labels == null) {
            SpanContext sc = span.getSpanContext();
            labels = Labels.of("trace_id", sc.getTraceId(), "span_id", sc.getSpanId());
            exemplar = labels;
        }
        return labels;
    }

    @Override
    public Scope makeCurrent() {
        if (!span.getSpanContext().isSampled()) {
            return Scope.NONE;
        }
        OtelSpan previous = CURRENT.get();
        CURRENT.set(this);
        // Set back rather than removed: a removal rescans the thread's map.
        return () -> CURRENT.set(previous);
    }

    @Override
    public void waitsFor(String kind, Duration delay, String reason) {
        span.addEvent(
                "wait",
                Attributes.of(
                        WAIT_KIND,
                        kind == null ? "delay" : kind,
                        WAIT_DELAY,
                        delay.toMillis(),
                        WAIT_REASON,
                        reason == null ? "" : Redaction.hideSecrets(reason)));
    }

    @Override
    public void waitsFor(List<SignalWait> waits, String reason) {
        span.addEvent(
                "wait",
                Attributes.of(
                        WAIT_KIND,
                        "signal",
                        WAIT_SIGNALS,
                        waits.stream().map(SignalWait::name).toList(),
                        WAIT_NODES,
                        waits.stream().map(SignalWait::nodeId).toList(),
                        WAIT_REASON,
                        reason == null ? "" : Redaction.hideSecrets(reason)));
    }

    @Override
    public void attribute(String key, String value) {
        if (key != null && value != null) {
            span.setAttribute(key(STRING_KEYS, key, AttributeKey::stringKey), Redaction.hideSecrets(value));
        }
    }

    @Override
    public void attribute(String key, long value) {
        if (key != null) {
            span.setAttribute(key(LONG_KEYS, key, AttributeKey::longKey), value);
        }
    }

    /**
     * The key object for {@code name}, kept for the first {@link #KEPT_KEYS} names (the worker's own
     * and an action's few); an action that makes names up gets a new key each time instead of a
     * map that grows without end.
     */
    private static <T> AttributeKey<T> key(
            Map<String, AttributeKey<T>> kept, String name, java.util.function.Function<String, AttributeKey<T>> make) {
        AttributeKey<T> k = kept.get(name);
        if (k != null) {
            return k;
        }
        k = make.apply(name);
        if (kept.size() < KEPT_KEYS) {
            kept.putIfAbsent(name, k);
        }
        return k;
    }

    @Override
    public void end(String status, String error) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (status != null) {
            span.setAttribute(statusKey, status);
        }
        if (error != null) {
            span.setStatus(StatusCode.ERROR, Redaction.hideSecrets(error));
        }
        span.end();
    }
}
