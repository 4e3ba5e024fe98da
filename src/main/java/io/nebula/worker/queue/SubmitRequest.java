package io.nebula.worker.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One execution to enqueue.
 *
 * @param queue the queue name
 * @param workflowHash content hash of a definition stored with {@link ExecutionStore#workflowPut}
 * @param workflowName the definition's name, kept on the row for listing and filtering
 * @param inputJson the execution input as JSON text (already validated)
 * @param priority lower numbers run first; 0 is the default
 * @param delay run no earlier than this long after the database's current time, or {@code null}
 * @param runAt run no earlier than this instant, or {@code null}; at most one of delay and runAt
 * @param maxAttempts how many attempts the execution gets in total (max_retries + 1)
 * @param idempotencyKey when not {@code null}, a second submit with the same key returns the first
 *     execution instead of creating another
 * @param traceparent the W3C trace context every attempt of the execution continues, or {@code
 *     null} for none
 * @param checkedInput the input as {@link InputGuard#parse} accepted it (its text is {@code
 *     inputJson}), so the store checks only its size; {@code null}: the store checks the text
 */
public record SubmitRequest(
        String queue,
        String workflowHash,
        String workflowName,
        String inputJson,
        int priority,
        Duration delay,
        Instant runAt,
        int maxAttempts,
        String idempotencyKey,
        String traceparent,
        CheckedInput checkedInput) {
    public SubmitRequest {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(workflowHash, "workflowHash");
        Objects.requireNonNull(workflowName, "workflowName");
        Objects.requireNonNull(inputJson, "inputJson");
        if (delay != null && runAt != null) {
            throw new IllegalArgumentException("give a delay or a run-at time, not both");
        }
        if (delay != null && delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        if (checkedInput != null && !checkedInput.json().equals(inputJson)) {
            throw new IllegalArgumentException("the checked input is not this request's input");
        }
    }

    /** A request whose input the store checks. */
    public SubmitRequest(
            String queue,
            String workflowHash,
            String workflowName,
            String inputJson,
            int priority,
            Duration delay,
            Instant runAt,
            int maxAttempts,
            String idempotencyKey,
            String traceparent) {
        this(
                queue,
                workflowHash,
                workflowName,
                inputJson,
                priority,
                delay,
                runAt,
                maxAttempts,
                idempotencyKey,
                traceparent,
                null);
    }

    /** A request without a trace context. */
    public SubmitRequest(
            String queue,
            String workflowHash,
            String workflowName,
            String inputJson,
            int priority,
            Duration delay,
            Instant runAt,
            int maxAttempts,
            String idempotencyKey) {
        this(
                queue,
                workflowHash,
                workflowName,
                inputJson,
                priority,
                delay,
                runAt,
                maxAttempts,
                idempotencyKey,
                null,
                null);
    }

    /** A request due now with default priority and no idempotency key. */
    public static SubmitRequest now(
            String queue, String workflowHash, String workflowName, String inputJson, int maxAttempts) {
        return new SubmitRequest(
                queue, workflowHash, workflowName, inputJson, 0, null, null, maxAttempts, null, null, null);
    }

    public SubmitRequest withPriority(int p) {
        return new SubmitRequest(
                queue,
                workflowHash,
                workflowName,
                inputJson,
                p,
                delay,
                runAt,
                maxAttempts,
                idempotencyKey,
                traceparent,
                checkedInput);
    }

    public SubmitRequest withDelay(Duration d) {
        return new SubmitRequest(
                queue,
                workflowHash,
                workflowName,
                inputJson,
                priority,
                d,
                null,
                maxAttempts,
                idempotencyKey,
                traceparent,
                checkedInput);
    }

    public SubmitRequest withRunAt(Instant t) {
        return new SubmitRequest(
                queue,
                workflowHash,
                workflowName,
                inputJson,
                priority,
                null,
                t,
                maxAttempts,
                idempotencyKey,
                traceparent,
                checkedInput);
    }

    public SubmitRequest withIdempotencyKey(String k) {
        return new SubmitRequest(
                queue,
                workflowHash,
                workflowName,
                inputJson,
                priority,
                delay,
                runAt,
                maxAttempts,
                k,
                traceparent,
                checkedInput);
    }

    /** This request carrying the W3C trace context {@code tp} (validated by the caller). */
    public SubmitRequest withTraceparent(String tp) {
        return new SubmitRequest(
                queue,
                workflowHash,
                workflowName,
                inputJson,
                priority,
                delay,
                runAt,
                maxAttempts,
                idempotencyKey,
                tp,
                checkedInput);
    }
}
