package io.nebula.worker.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.junit.jupiter.api.Test;

/** The trace context a submit stores, with tracing off (the exporting side is tested end to end). */
class TracingTest {
    static final String TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void offMakesNoSpans() {
        TraceSpan span = Tracing.OFF.attempt(new ExecutionEvent(1, "wf", "q", 1, 1), TP, "h", "w");
        assertThat(span).isSameAs(TraceSpan.OFF);
        assertThat(span.node("n", "noop", 1)).isSameAs(TraceSpan.OFF);
        assertThat(span.traceparent()).isNull();
        assertThat(Tracing.OFF.droppedSpans()).isZero();
    }

    @Test
    void aSubmitKeepsTheGivenContextOrTheCurrentSpansOrBeginsANewTrace() {
        assertThat(Tracing.OFF.submit(TP, "wf", "q")).isEqualTo(TP);

        SpanContext current = SpanContext.create(
                "0af7651916cd43dd8448eb211c80319c",
                "b7ad6b7169203331",
                TraceFlags.getSampled(),
                TraceState.getDefault());
        try (Scope ignored = Span.wrap(current).makeCurrent()) {
            assertThat(Tracing.OFF.submit(null, "wf", "q"))
                    .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        }

        String a = Tracing.OFF.submit(null, "wf", "q");
        String b = Tracing.OFF.submit(null, "wf", "q");
        assertThat(a).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(Tracing.valid(a)).isTrue();
        assertThat(a.substring(3, 35)).as("each execution its own trace").isNotEqualTo(b.substring(3, 35));
    }

    @Test
    void aContextIsWrittenAsTheW3cPropagatorWritesIt() {
        for (TraceFlags flags : java.util.List.of(TraceFlags.getSampled(), TraceFlags.getDefault())) {
            SpanContext sc = SpanContext.create(
                    "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", flags, TraceState.getDefault());
            java.util.Map<String, String> injected = new java.util.HashMap<>();
            W3CTraceContextPropagator.getInstance()
                    .inject(Context.root().with(Span.wrap(sc)), injected, java.util.Map::put);

            assertThat(Tracing.format(sc)).isEqualTo(injected.get("traceparent"));
            assertThat(Tracing.valid(Tracing.format(sc))).isTrue();
        }
        assertThat(Tracing.format(SpanContext.getInvalid())).isNull();
    }

    @Test
    void aMalformedContextIsRefusedWithTheExpectedShape() {
        assertThat(Tracing.valid("00-00000000000000000000000000000000-00f067aa0ba902b7-01"))
                .isFalse();
        assertThat(Tracing.valid("garbage")).isFalse();
        assertThatThrownBy(() -> Tracing.OFF.submit("00-4bf92f35-00f067aa0ba902b7-01", "wf", "q"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a W3C traceparent")
                .hasMessageContaining("00-4bf92f35-00f067aa0ba902b7-01");
    }
}
