package io.nebula.worker.observe;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.concurrent.atomic.AtomicBoolean;

/** A {@link TraceSpan} over an OpenTelemetry span; children come from the same tracer. */
final class OtelSpan implements TraceSpan {
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
