package io.nebula.worker.workflow;

import java.time.Duration;

/**
 * How a node retries a retryable failure inside one execution attempt: up to {@code attempts}
 * tries in total, waiting {@code backoff * 2^(try-1)} between tries, capped at {@code maxBackoff}.
 * No jitter: node retries are per execution, so there is no herd to spread out, and a fixed
 * schedule keeps the behaviour easy to predict.
 */
public record RetryPolicy(int attempts, Duration backoff, Duration maxBackoff) {
    /** One try, no retry. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofMinutes(1));

    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
        }
    }

    /** The wait before try {@code nextTry} (2 for the first retry). */
    public Duration delayBefore(int nextTry) {
        int shift = Math.min(Math.max(nextTry - 2, 0), 30);
        long ms = backoff.toMillis() << shift;
        if (ms < 0 || ms > maxBackoff.toMillis()) {
            ms = maxBackoff.toMillis();
        }
        return Duration.ofMillis(ms);
    }
}
