package io.nebula.worker.app;

import java.time.Duration;
import java.time.Instant;

/**
 * How to enqueue: the queue, priority (lower runs first), an optional delay or run-at time, an
 * optional idempotency key, and an optional retry budget overriding the workflow's and the
 * worker's defaults; and the W3C {@code traceparent} the executions' traces continue ({@code null}:
 * the caller's current OpenTelemetry span, else a new trace).
 */
public record SubmitOptions(
        String queue,
        int priority,
        Duration delay,
        Instant runAt,
        String idempotencyKey,
        Integer maxRetries,
        String traceparent) {

    public SubmitOptions {
        if (queue == null || queue.isBlank()) {
            throw new IllegalArgumentException("queue must not be empty");
        }
        if (delay != null && runAt != null) {
            throw new IllegalArgumentException("give a delay or a run-at time, not both");
        }
        if (maxRetries != null && maxRetries < 0) {
            throw new IllegalArgumentException("max retries must not be negative: " + maxRetries);
        }
    }

    public SubmitOptions(
            String queue, int priority, Duration delay, Instant runAt, String idempotencyKey, Integer maxRetries) {
        this(queue, priority, delay, runAt, idempotencyKey, maxRetries, null);
    }

    public static SubmitOptions defaults() {
        return new SubmitOptions("default", 0, null, null, null, null);
    }

    public SubmitOptions queue(String q) {
        return new SubmitOptions(q, priority, delay, runAt, idempotencyKey, maxRetries, traceparent);
    }

    public SubmitOptions priority(int p) {
        return new SubmitOptions(queue, p, delay, runAt, idempotencyKey, maxRetries, traceparent);
    }

    public SubmitOptions delay(Duration d) {
        return new SubmitOptions(queue, priority, d, null, idempotencyKey, maxRetries, traceparent);
    }

    public SubmitOptions runAt(Instant t) {
        return new SubmitOptions(queue, priority, null, t, idempotencyKey, maxRetries, traceparent);
    }

    public SubmitOptions idempotencyKey(String k) {
        return new SubmitOptions(queue, priority, delay, runAt, k, maxRetries, traceparent);
    }

    public SubmitOptions maxRetries(Integer r) {
        return new SubmitOptions(queue, priority, delay, runAt, idempotencyKey, r, traceparent);
    }

    /** The W3C trace context the executions continue (checked at submit). */
    public SubmitOptions traceparent(String tp) {
        return new SubmitOptions(queue, priority, delay, runAt, idempotencyKey, maxRetries, tp);
    }
}
