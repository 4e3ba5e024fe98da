package io.nebula.worker.queue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A position in the console's execution list, which runs newest first by creation time, then id.
 * A page continues strictly after its cursor, so paging never repeats or skips a row however many
 * executions arrive meanwhile (keyset paging: the database seeks to the key instead of counting
 * rows to skip).
 *
 * @param createdAt the creation time of the last row seen (microsecond precision)
 * @param id the id of the last row seen
 */
public record ExecutionCursor(Instant createdAt, long id) {
    public ExecutionCursor {
        createdAt = createdAt.truncatedTo(ChronoUnit.MICROS);
    }

    /** Microseconds since the epoch, as the page statements bind it. */
    public long epochMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
    }

    /** The cursor as URL-safe text: {@code <epoch microseconds>-<id>}. */
    public String token() {
        return epochMicros() + "-" + id;
    }

    /**
     * Parses {@link #token()}.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static ExecutionCursor parse(String token) {
        int dash = token.indexOf('-', 1);
        if (dash < 0) {
            throw new IllegalArgumentException("a page cursor looks like <microseconds>-<id>, not '" + token + "'");
        }
        try {
            long micros = Long.parseLong(token.substring(0, dash));
            long id = Long.parseLong(token.substring(dash + 1));
            return new ExecutionCursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), id);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("a page cursor looks like <microseconds>-<id>, not '" + token + "'", e);
        }
    }

    /** Whether this key comes before {@code other} in the list (newer, or as new with a larger id). */
    public boolean isBefore(ExecutionCursor other) {
        int c = createdAt.compareTo(other.createdAt);
        return c > 0 || (c == 0 && id > other.id);
    }
}
