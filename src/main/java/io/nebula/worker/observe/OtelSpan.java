package io.nebula.worker.observe;

import io.nebula.worker.queue.SignalWait;
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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link TraceSpan} over an OpenTelemetry span; children come from the same tracer.
 *
 * <p>The span made current by {@link #makeCurrent()} is kept as its exemplar labels in a thread
 * local of this class, not in the OpenTelemetry context: an application that embeds the worker
 * with its own OpenTelemetry (or agent) is not affected, and metrics read one field.
 */
final class OtelSpan implements TraceSpan {
    private static final ThreadLocal<Labels> CURRENT = new ThreadLocal<>();
    static final AttributeKey<String> WAIT_KIND = AttributeKey.stringKey("nebula.wait.kind");
    static final AttributeKey<String> WAIT_REASON = AttributeKey.stringKey("nebula.wait.reason");
    static final AttributeKey<Long> WAIT_DELAY = AttributeKey.longKey("nebula.wait.delay_ms");
    static final AttributeKey<List<String>> WAIT_SIGNALS = AttributeKey.stringArrayKey("nebula.wait.signals");
    static final AttributeKey<List<String>> WAIT_NODES = AttributeKey.stringArrayKey("nebula.wait.nodes");

    private final Tracer tracer;
    private final Span span;
    private final long executionId;
    private final String statusKey;
    private final AtomicBoolean ended = new AtomicBoolean();

    OtelSpan(Tracer tracer, Span span, long executionId, String statusKey) {
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
                .setAttribute("nebula.execution.id", executionId)
                .setAttribute("nebula.node.id", nodeId)
                .setAttribute("nebula.node.action", action)
                .setAttribute("nebula.node.try", nodeTry)
                .startSpan();
        return new OtelSpan(tracer, child, executionId, "nebula.node.status");
    }

    @Override
    public TraceSpan httpClient(String method, String url, String host, int port) {
        Span child = tracer.spanBuilder(method)
                .setSpanKind(SpanKind.CLIENT)
                .setParent(Context.root().with(span))
                .setAttribute("nebula.execution.id", executionId)
                .setAttribute("http.request.method", method)
                .setAttribute("url.full", url)
                .setAttribute("server.address", host)
                .setAttribute("server.port", port)
                .startSpan();
        return new OtelSpan(tracer, child, executionId, "nebula.http.status");
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
        return CURRENT.get();
    }

    @Override
    public Scope makeCurrent() {
        SpanContext sc = span.getSpanContext();
        if (!sc.isSampled()) {
            return Scope.NONE;
        }
        Labels previous = CURRENT.get();
        CURRENT.set(Labels.of("trace_id", sc.getTraceId(), "span_id", sc.getSpanId()));
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
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
                        reason == null ? "" : reason));
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
                        reason == null ? "" : reason));
    }

    @Override
    public void attribute(String key, String value) {
        if (value != null) {
            span.setAttribute(key, value);
        }
    }

    @Override
    public void attribute(String key, long value) {
        span.setAttribute(key, value);
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
            span.setStatus(StatusCode.ERROR, error);
        }
        span.end();
    }
}
