package io.nebula.worker.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cron parsing errors and fire times, including across daylight-saving changes in two zones
 * (Europe/Berlin and America/New_York, 2026), computed from fixed instants.
 */
class CronScheduleTest {
    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    private static List<Instant> times(String... iso) {
        return java.util.Arrays.stream(iso).map(Instant::parse).toList();
    }

    @Test
    void errorsNameTheFieldThatIsWrong() {
        assertThatThrownBy(() -> CronSchedule.parse("61 * * * *", "UTC"))
                .isInstanceOf(InvalidScheduleException.class)
                .hasMessage("cron '61 * * * *': minute field '61' is invalid: Value 61 not in range [0, 59]");
        assertThatThrownBy(() -> CronSchedule.parse("0 25 * * *", "UTC")).hasMessageContaining("hour field '25'");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 * * MON-FOO", "UTC"))
                .hasMessageContaining("day-of-week field 'MON-FOO'");
        assertThatThrownBy(() -> CronSchedule.parse("70 * * * * *", "UTC")).hasMessageContaining("second field '70'");
        assertThatThrownBy(() -> CronSchedule.parse("* * * *", "UTC"))
                .hasMessage("cron '* * * *' has 4 fields; expected 5 (minute hour day-of-month month day-of-week)"
                        + " or 6 (second first)");
        assertThatThrownBy(() -> CronSchedule.parse("", "UTC")).hasMessageContaining("has 0 fields");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 31 2 *", "UTC")).hasMessageContaining("never fires");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 * * *", "Mars/Olympus"))
                .hasMessageContaining("unknown time zone 'Mars/Olympus'");
    }

    @Test
    void unixFieldsAndAnOptionalLeadingSecondsField() {
        CronSchedule daily = CronSchedule.parse("30 4 * * 1-5", "UTC");
        // 2026-03-06 is a Friday: the next weekday after it is Monday the 9th.
        assertThat(daily.next(at("2026-03-05T12:00:00Z"), 2))
                .containsExactlyElementsOf(times("2026-03-06T04:30:00Z", "2026-03-09T04:30:00Z"));
        CronSchedule seconds = CronSchedule.parse("*/20 * * * * *", "UTC");
        assertThat(seconds.next(at("2026-03-05T12:00:05Z"), 3))
                .containsExactlyElementsOf(
                        times("2026-03-05T12:00:20Z", "2026-03-05T12:00:40Z", "2026-03-05T12:01:00Z"));
        assertThat(CronSchedule.parse("0 0 * * 7", "UTC").nextAfter(at("2026-03-05T00:00:00Z")))
                .as("7 is Sunday, as 0 is")
                .isEqualTo(at("2026-03-08T00:00:00Z"));
        assertThat(seconds.previousBefore(at("2026-03-05T12:00:20Z"))).isEqualTo(at("2026-03-05T12:00:00Z"));
        // Fire times are whole seconds, whatever the fraction of the instant asked from.
        CronSchedule everySecond = CronSchedule.parse("* * * * * *", "UTC");
        assertThat(everySecond.nextAfter(at("2026-03-05T12:00:05.962Z"))).isEqualTo(at("2026-03-05T12:00:06Z"));
        assertThat(everySecond.previousBefore(at("2026-03-05T12:00:05.962Z"))).isEqualTo(at("2026-03-05T12:00:05Z"));
        assertThat(daily.nextAfter(at("2026-03-06T04:29:59.999Z"))).isEqualTo(at("2026-03-06T04:30:00Z"));
    }

    @Test
    void berlinSpringForwardFiresASkippedTimeOnceWhenTheGapEnds() {
        // 2026-03-29: 02:00 CET (01:00Z) jumps to 03:00 CEST; 02:00-03:00 local does not exist.
        CronSchedule daily = CronSchedule.parse("30 2 * * *", "Europe/Berlin");
        assertThat(daily.next(at("2026-03-28T00:00:00Z"), 3))
                .containsExactlyElementsOf(times(
                        "2026-03-28T01:30:00Z", // 02:30 CET
                        "2026-03-29T01:00:00Z", // 02:30 does not exist: 03:00 CEST, the end of the gap
                        "2026-03-30T00:30:00Z")); // 02:30 CEST
        CronSchedule quarterly = CronSchedule.parse("*/15 * * * *", "Europe/Berlin");
        assertThat(quarterly.next(at("2026-03-29T00:40:00Z"), 3))
                .as("02:00, 02:15, 02:30, 02:45 and 03:00 are one fire at the end of the gap")
                .containsExactlyElementsOf(
                        times("2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z"));
    }

    @Test
    void berlinFallBackFiresARepeatedTimeOnceTheFirstTime() {
        // 2026-10-25: 03:00 CEST (01:00Z) goes back to 02:00 CET; 02:00-03:00 local happens twice.
        CronSchedule daily = CronSchedule.parse("30 2 * * *", "Europe/Berlin");
        assertThat(daily.next(at("2026-10-24T12:00:00Z"), 2))
                .containsExactlyElementsOf(times("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"));
        CronSchedule hourly = CronSchedule.parse("0 * * * *", "Europe/Berlin");
        assertThat(hourly.next(at("2026-10-24T22:30:00Z"), 3))
                .as("02:00 fires in the first pass only; 03:00 CET is two hours later")
                .containsExactlyElementsOf(
                        times("2026-10-24T23:00:00Z", "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z"));
        // From inside the second pass, nothing fires until the repeated hour is over.
        assertThat(hourly.nextAfter(at("2026-10-25T01:10:00Z"))).isEqualTo(at("2026-10-25T02:00:00Z"));
        assertThat(hourly.previousBefore(at("2026-10-25T01:10:00Z"))).isEqualTo(at("2026-10-25T00:00:00Z"));
    }

    @Test
    void newYorkChangesFollowTheSameRules() {
        // 2026-03-08: 02:00 EST (07:00Z) jumps to 03:00 EDT.
        CronSchedule spring = CronSchedule.parse("30 2 * * *", "America/New_York");
        assertThat(spring.next(at("2026-03-07T00:00:00Z"), 3))
                .containsExactlyElementsOf(
                        times("2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"));
        // 2026-11-01: 02:00 EDT (06:00Z) goes back to 01:00 EST; 01:00-02:00 local happens twice.
        CronSchedule fall = CronSchedule.parse("30 1 * * *", "America/New_York");
        assertThat(fall.next(at("2026-10-31T12:00:00Z"), 2))
                .containsExactlyElementsOf(times("2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"));
        CronSchedule everyTen = CronSchedule.parse("*/10 1 * * *", "America/New_York");
        assertThat(everyTen.next(at("2026-11-01T05:45:00Z"), 2))
                .as("01:50 EDT, then the second pass of 01:xx is skipped, then 01:00 the next day")
                .containsExactlyElementsOf(times("2026-11-01T05:50:00Z", "2026-11-02T06:00:00Z"));
    }
}
