package io.nebula.worker.pool;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with full jitter around the midpoint: base * 2^(n-1), capped, +-25%. */
final class Backoff {
    private Backoff() {}

    static Duration of(int attempt, Duration base, Duration max) {
        long b = Math.max(1, base.toMillis());
        int shift = Math.min(30, Math.max(0, attempt - 1));
        long raw = b << shift;
        if (raw <= 0 || raw > max.toMillis()) {
            raw = max.toMillis();
        }
        long jitter = raw / 4;
        long ms = raw - jitter + (jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(2 * jitter + 1));
        return Duration.ofMillis(Math.max(0, ms));
    }

    /** A poll period with +-20% jitter so many replicas do not poll in step. */
    static Duration jitter(Duration period) {
        long ms = Math.max(1, period.toMillis());
        long spread = ms / 5;
        return Duration.ofMillis(
                ms - spread + (spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(2 * spread + 1)));
    }
}
