package io.nebula.worker.observe;

/**
 * One span of an execution's trace: an attempt, a node try, or an outgoing HTTP call. {@link #OFF}
 * (tracing not configured) does nothing, allocates nothing and answers {@code null} for its ids,
 * so callers need no checks of their own. Spans are ended once; methods never throw.
 */
public interface TraceSpan {
    TraceSpan OFF = new TraceSpan() {};

    /** Whether this span is exported (sampled and tracing on). */
    default boolean recording() {
        return false;
    }

    /** A child span for one try of a node. */
    default TraceSpan node(String nodeId, String action, int nodeTry) {
        return OFF;
    }

    /**
     * A client span for one HTTP request to {@code url} (already redacted: it becomes an
     * attribute), whose {@link #traceparent} goes downstream.
     */
    default TraceSpan httpClient(String method, String url, String host, int port) {
        return OFF;
    }

    /** The W3C {@code traceparent} header value naming this span, or {@code null} when off. */
    default String traceparent() {
        return null;
    }

    /** 32 hex digits, or {@code null} when off. */
    default String traceId() {
        return null;
    }

    /** 16 hex digits, or {@code null} when off. */
    default String spanId() {
        return null;
    }

    /**
     * Makes this span the current one on the calling thread until the returned scope is closed (on
     * the same thread): the durations {@link PrometheusMetrics} observes meanwhile carry its trace
     * and span ids as their exemplar. A span that is not sampled, and {@link #OFF}, change nothing
     * and return {@link Scope#NONE}.
     */
    default Scope makeCurrent() {
        return Scope.NONE;
    }

    /**
     * Records on this attempt's span that the execution is parked until {@code delay} has passed;
     * {@code kind} says for what ({@code delay}, {@code sub_workflow}, {@code released}; {@code
     * null} is taken as {@code delay}), {@code reason} names the node and what it waits for.
     */
    default void waitsFor(String kind, java.time.Duration delay, String reason) {}

    /** Records on this attempt's span that the execution is parked until one of {@code waits} arrives. */
    default void waitsFor(java.util.List<io.nebula.worker.queue.SignalWait> waits, String reason) {}

    default void attribute(String key, String value) {}

    default void attribute(String key, long value) {}

    /**
     * Ends the span with {@code status} (recorded as an attribute); an {@code error} (already
     * redacted) marks it failed.
     */
    default void end(String status, String error) {}

    /** Ends what {@link #makeCurrent()} began; closing never throws. */
    interface Scope extends AutoCloseable {
        Scope NONE = () -> {};

        @Override
        void close();
    }
}
