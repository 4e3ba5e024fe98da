package io.nebula.worker.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads the durations and times operators type. Durations are a number and a unit, optionally
 * several ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 2d}); ISO-8601 ({@code
 * PT30S}) works too. Times are ISO-8601 with a zone: {@code 2026-03-01T10:00:00Z} or {@code
 * 2026-03-01T11:00:00+01:00}; a time without a zone is refused rather than guessed.
 */
final class DurationText {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private DurationText() {}

    static Duration parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("pt") || t.startsWith("p")) {
            try {
                return nonNegative(Duration.parse(t.toUpperCase(Locale.ROOT)), text);
            } catch (DateTimeParseException e) {
                throw bad(text);
            }
        }
        Matcher m = PART.matcher(t);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                throw bad(text);
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    });
            end = m.end();
        }
        if (end == 0 || end != t.length()) {
            throw bad(text);
        }
        return total;
    }

    static Instant parseInstant(String text) {
        try {
            return OffsetDateTime.parse(text.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw new TypeConversionException(
                    "'" + text
                            + "' is not an ISO-8601 time with a zone; write e.g. 2026-03-01T10:00:00Z or 2026-03-01T11:00:00+01:00");
        }
    }

    private static Duration nonNegative(Duration d, String text) {
        if (d.isNegative()) {
            throw bad(text);
        }
        return d;
    }

    private static TypeConversionException bad(String text) {
        return new TypeConversionException(
                "'" + text + "' is not a duration; write a number and a unit, e.g. 500ms, 30s, 5m, 1h or 1h30m");
    }

    /** Picocli converter for {@link Duration} options. */
    static final class Converter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return parse(value);
        }
    }

    /** Picocli converter for {@link Instant} options. */
    static final class InstantConverter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            return parseInstant(value);
        }
    }
}
