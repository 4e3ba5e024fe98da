package io.nebula.worker.console;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times typed into the console's filters: ISO-8601 with a zone ({@code 2026-03-01T10:00:00Z},
 * {@code 2026-03-01T11:00:00+01:00}) or a duration back from now ({@code 15m}, {@code 2h},
 * {@code 1d}, {@code 1h30m}, or ISO-8601's {@code PT15M}, {@code P1DT2H}). A time without a zone is
 * refused rather than guessed. The command line's {@code executions retry --from/--until} read
 * the same.
 */
public final class TimeText {
    private static final Pattern AGO =
            Pattern.compile("(?:(\\d{1,6})d)?(?:(\\d{1,6})h)?(?:(\\d{1,6})m)?(?:(\\d{1,6})s)?");

    /** The range of times the stores keep (PostgreSQL's microseconds, SQLite's milliseconds). */
    private static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");

    private static final Instant LAST = Instant.parse("9999-12-31T23:59:59Z");

    private TimeText() {}

    /**
     * @param field the filter's name, for the message
     * @return the time, or {@code null} for empty text
     * @throws IllegalArgumentException naming the field and what it accepts
     */
    public static Instant parse(String field, String text, Instant now) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Instant t = read(field, text, now);
        if (t.isBefore(FIRST) || t.isAfter(LAST)) {
            throw new IllegalArgumentException(field + ": '" + text.strip() + "' is outside the years 1 to 9999");
        }
        return t;
    }

    private static Instant read(String field, String text, Instant now) {
        String t = text.strip();
        Matcher m = AGO.matcher(t);
        if (m.matches() && !t.isEmpty()) {
            Duration d = Duration.ofDays(num(m.group(1)))
                    .plusHours(num(m.group(2)))
                    .plusMinutes(num(m.group(3)))
                    .plusSeconds(num(m.group(4)));
            return now.minus(d);
        }
        try {
            if (t.startsWith("P") || t.startsWith("p")) {
                Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
                if (!d.isNegative()) {
                    return now.minus(d);
                }
            }
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeException | ArithmeticException e) {
            // Not a time, or a duration back past the first instant Java can represent.
            throw new IllegalArgumentException(field + ": '" + t + "' is not a time; write 2026-03-01T10:00:00Z (with a"
                    + " zone) or a duration back from now such as 15m, 2h, 1d or PT15M");
        }
    }

    private static long num(String s) {
        return s == null ? 0 : Long.parseLong(s);
    }
}
