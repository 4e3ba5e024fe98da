package io.nebula.worker.schedule;

import com.cronutils.descriptor.CronDescriptor;
import com.cronutils.model.Cron;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A cron expression read in a time zone: the fire times of a schedule. Parsing and matching are
 * cron-utils' (Unix crontab fields: minute, hour, day of month, month, day of week; six fields put
 * seconds first). The mapping of local wall-clock times to instants is this class's own, so that
 * daylight-saving changes follow one documented rule instead of the library's:
 *
 * <ul>
 *   <li>The expression names local times in the zone. Each local time fires at most once.
 *   <li>Spring forward: local times that do not exist (the skipped hour) fire once, at the first
 *       instant after the gap (02:30 in a 02:00-03:00 gap fires at 03:00). Several skipped times,
 *       and a time at the end of the gap itself, are that same one fire.
 *   <li>Fall back: a local time that happens twice (the repeated hour) fires once, the first time
 *       (with the earlier offset). A schedule finer than hourly therefore pauses during the second
 *       pass of the repeated hour; UTC (the default zone) has no such changes.
 * </ul>
 *
 * Instances are immutable and thread-safe.
 */
public final class CronSchedule {
    private static final CronDefinition UNIX = CronDefinitionBuilder.defineCron()
            .withMinutes()
            .withValidRange(0, 59)
            .withStrictRange()
            .and()
            .withHours()
            .withValidRange(0, 23)
            .withStrictRange()
            .and()
            .withDayOfMonth()
            .withValidRange(1, 31)
            .withStrictRange()
            .and()
            .withMonth()
            .withValidRange(1, 12)
            .withStrictRange()
            .and()
            .withDayOfWeek()
            .withValidRange(0, 7)
            .withMondayDoWValue(1)
            .withIntMapping(7, 0)
            .withStrictRange()
            .and()
            .instance();

    /** Unix fields with a seconds field in front. */
    private static final CronDefinition WITH_SECONDS = CronDefinitionBuilder.defineCron()
            .withSeconds()
            .withValidRange(0, 59)
            .withStrictRange()
            .and()
            .withMinutes()
            .withValidRange(0, 59)
            .withStrictRange()
            .and()
            .withHours()
            .withValidRange(0, 23)
            .withStrictRange()
            .and()
            .withDayOfMonth()
            .withValidRange(1, 31)
            .withStrictRange()
            .and()
            .withMonth()
            .withValidRange(1, 12)
            .withStrictRange()
            .and()
            .withDayOfWeek()
            .withValidRange(0, 7)
            .withMondayDoWValue(1)
            .withIntMapping(7, 0)
            .withStrictRange()
            .and()
            .instance();

    private static final List<String> FIELDS = List.of("minute", "hour", "day-of-month", "month", "day-of-week");

    /** Local times are matched on a clock without offset changes; the zone is applied after. */
    private static final ZoneOffset WALL = ZoneOffset.UTC;

    private final String expression;
    private final ZoneId zone;
    private final ZoneRules rules;
    private final Cron cron;
    private final ExecutionTime times;

    private CronSchedule(String expression, ZoneId zone, Cron cron) {
        this.expression = expression;
        this.zone = zone;
        this.rules = zone.getRules();
        this.cron = cron;
        this.times = ExecutionTime.forCron(cron);
    }

    /**
     * Parses {@code expression} (five Unix fields, or six with seconds first) in {@code timezone}
     * (an IANA zone such as {@code Europe/Berlin}, or {@code UTC}).
     *
     * @throws InvalidScheduleException naming the field that is wrong and why
     */
    public static CronSchedule parse(String expression, String timezone) {
        ZoneId zone = zone(timezone);
        String text = expression == null ? "" : expression.trim();
        String[] parts = text.isEmpty() ? new String[0] : text.split("\\s+");
        if (parts.length != 5 && parts.length != 6) {
            throw new InvalidScheduleException("cron '" + text + "' has " + parts.length + " field"
                    + (parts.length == 1 ? "" : "s")
                    + "; expected 5 (minute hour day-of-month month day-of-week) or 6 (second first)");
        }
        boolean seconds = parts.length == 6;
        CronParser parser = new CronParser(seconds ? WITH_SECONDS : UNIX);
        List<String> names = new ArrayList<>();
        if (seconds) {
            names.add("second");
        }
        names.addAll(FIELDS);
        // Each field alone first, so the message can say which one is wrong.
        for (int i = 0; i < parts.length; i++) {
            String[] probe = new String[parts.length];
            java.util.Arrays.fill(probe, "*");
            probe[i] = parts[i];
            try {
                parser.parse(String.join(" ", probe));
            } catch (IllegalArgumentException e) {
                throw new InvalidScheduleException(
                        "cron '" + text + "': " + names.get(i) + " field '" + parts[i] + "' is invalid: " + reason(e));
            }
        }
        Cron cron;
        try {
            cron = parser.parse(String.join(" ", parts));
            cron.validate();
        } catch (IllegalArgumentException e) {
            throw new InvalidScheduleException("cron '" + text + "' is invalid: " + reason(e));
        }
        CronSchedule s = new CronSchedule(String.join(" ", parts), zone, cron);
        Instant probe = Instant.parse("2000-01-01T00:00:00Z");
        if (s.times.nextExecution(probe.atZone(WALL)).isEmpty()) {
            throw new InvalidScheduleException("cron '" + text + "' never fires (no date matches it)");
        }
        return s;
    }

    /** Checks a time zone name; {@code null} or blank means UTC. */
    public static ZoneId zone(String timezone) {
        if (timezone == null || timezone.isBlank()) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(timezone.trim());
        } catch (DateTimeException e) {
            throw new InvalidScheduleException("unknown time zone '" + timezone
                    + "'; use an IANA name such as UTC, Europe/Berlin or America/New_York");
        }
    }

    private static String reason(IllegalArgumentException e) {
        String m = String.valueOf(e.getMessage());
        return m.replace("Failed to parse cron expression. ", "").replace("Failed to parse '", "'");
    }

    public String expression() {
        return expression;
    }

    public ZoneId zone() {
        return zone;
    }

    /** The expression in words, e.g. "every 5 seconds" (cron-utils' English descriptor). */
    public String describe() {
        return CronDescriptor.instance(Locale.UK).describe(cron);
    }

    /** The first fire time strictly after {@code t}. */
    public Instant nextAfter(Instant t) {
        // Fire times are whole seconds; the library would keep a fraction of the start.
        LocalDateTime from = LocalDateTime.ofInstant(t, zone).truncatedTo(ChronoUnit.SECONDS);
        for (int guard = 0; guard < 100_000; guard++) {
            Optional<ZonedDateTime> n = times.nextExecution(from.atZone(WALL));
            if (n.isEmpty()) {
                throw new IllegalStateException("cron '" + expression + "' has no fire time after " + t);
            }
            LocalDateTime local = n.get().toLocalDateTime();
            Instant at = instant(local);
            if (at.isAfter(t)) {
                return at;
            }
            // A local time that maps to an instant not after t: a time in the second pass of a
            // repeated hour, or a skipped time whose one fire was at the end of its gap. Go on
            // after it; in a repeated hour, jump to its end, where the wall clock is new again.
            ZoneOffsetTransition tr = rules.getTransition(local);
            from = tr != null && tr.isOverlap() && !tr.getDateTimeBefore().isBefore(local)
                    ? tr.getDateTimeBefore().minusNanos(1)
                    : local;
        }
        throw new IllegalStateException("cron '" + expression + "': no fire time found after " + t);
    }

    /** The last fire time strictly before {@code t}. */
    public Instant previousBefore(Instant t) {
        LocalDateTime exact = LocalDateTime.ofInstant(t, zone);
        LocalDateTime from = exact.truncatedTo(ChronoUnit.SECONDS);
        if (!from.equals(exact)) {
            from = from.plusSeconds(1);
        }
        ZoneOffsetTransition repeated = rules.getTransition(from);
        if (repeated != null && repeated.isOverlap() && rules.getOffset(t).equals(repeated.getOffsetAfter())) {
            // t is in the second pass of a repeated hour, where nothing fires: look before its end.
            from = repeated.getDateTimeBefore();
        }
        for (int guard = 0; guard < 100_000; guard++) {
            Optional<ZonedDateTime> p = times.lastExecution(from.atZone(WALL));
            if (p.isEmpty()) {
                throw new IllegalStateException("cron '" + expression + "' has no fire time before " + t);
            }
            LocalDateTime local = p.get().toLocalDateTime();
            Instant at = instant(local);
            if (at.isBefore(t)) {
                return at;
            }
            from = local;
        }
        throw new IllegalStateException("cron '" + expression + "': no fire time found before " + t);
    }

    /** The next {@code n} fire times after {@code t}. */
    public List<Instant> next(Instant t, int n) {
        List<Instant> out = new ArrayList<>(n);
        Instant at = t;
        for (int i = 0; i < n; i++) {
            at = nextAfter(at);
            out.add(at);
        }
        return out;
    }

    /** The instant a local fire time fires at, by the rules in the class comment. */
    Instant instant(LocalDateTime local) {
        List<ZoneOffset> offsets = rules.getValidOffsets(local);
        if (offsets.isEmpty()) {
            return rules.getTransition(local).getInstant();
        }
        // One offset normally; in a repeated hour both, the earlier (summer) one first.
        return local.toInstant(offsets.get(0));
    }

    @Override
    public String toString() {
        return expression + " (" + zone + ")";
    }
}
