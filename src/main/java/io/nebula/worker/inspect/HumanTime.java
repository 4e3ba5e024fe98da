package io.nebula.worker.inspect;

import io.nebula.worker.queue.SignalWait;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * How times read in operator output: instants as ISO-8601 UTC to the second ({@code
 * 2026-03-01T10:00:05Z}), durations as their two largest units ({@code 1h 5m}, {@code 2m 30s},
 * {@code 4.2s}, {@code 120ms}), and instants relative to the database clock ({@code in 1m 30s},
 * {@code 12s ago}). Output for machines uses ISO-8601 and milliseconds instead.
 */
public final class HumanTime {
    private HumanTime() {}

    /**
     * ISO-8601 in UTC, truncated to whole seconds; {@code -} for {@code null}; {@code never} for the
     * due time of an execution parked for a signal without a timeout.
     */
    public static String instant(Instant t) {
        if (never(t)) {
            return "never";
        }
        return t == null ? "-" : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Whether {@code t} is {@link SignalWait#NEVER} (or later): a time that will not come. */
    public static boolean never(Instant t) {
        return t != null && !t.isBefore(SignalWait.NEVER);
    }

    /** A duration for people: {@code 120ms}, {@code 4.2s}, {@code 2m 30s}, {@code 1h 5m}, {@code 3d 4h}. */
    public static String duration(Duration d) {
        if (d == null) {
            return "-";
        }
        long ms = Math.abs(d.toMillis());
        if (ms < 1_000) {
            return ms + "ms";
        }
        if (ms < 10_000) {
            return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long s = ms / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return two(s / 60, "m", s % 60, "s");
        }
        if (s < 86_400) {
            return two(s / 3600, "h", (s % 3600) / 60, "m");
        }
        return two(s / 86_400, "d", (s % 86_400) / 3600, "h");
    }

    private static String two(long a, String ua, long b, String ub) {
        return b == 0 ? a + ua : a + ua + " " + b + ub;
    }

    /** {@code in 1m 30s} or {@code 12s ago}, measured from {@code now} (the database clock). */
    public static String relative(Instant t, Instant now) {
        if (t == null) {
            return "-";
        }
        if (never(t)) {
            return "never";
        }
        Duration d = Duration.between(now, t);
        return d.isNegative() ? duration(d) + " ago" : "in " + duration(d);
    }

    /** {@code 2026-03-01T10:00:05Z (in 1m 30s)}. */
    public static String instantAndRelative(Instant t, Instant now) {
        return t == null ? "-" : never(t) ? "never" : instant(t) + " (" + relative(t, now) + ")";
    }
}
