package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** How operators' durations and times are read, and how tables keep untrusted text harmless. */
class CliTextTest {
    @Test
    void durationsTakeUnitsCombinationsAndIso() {
        assertThat(DurationText.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationText.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationText.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationText.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationText.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(DurationText.parse("PT45S")).isEqualTo(Duration.ofSeconds(45));
        for (String bad : new String[] {"", "5", "m5", "5 m", "1h-2m", "-PT5S", "5x"}) {
            assertThatThrownBy(() -> DurationText.parse(bad))
                    .as(bad)
                    .isInstanceOf(TypeConversionException.class)
                    .hasMessageContaining("is not a duration");
        }
    }

    @Test
    void timesNeedAZone() {
        assertThat(DurationText.parseInstant("2026-03-01T11:00:00+01:00"))
                .isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThatThrownBy(() -> DurationText.parseInstant("2026-03-01T10:00:00"))
                .hasMessageContaining("with a zone");
    }

    @Test
    void tablesAlignColumnsCutLongCellsAndNeutraliseControlCharacters() {
        StringWriter s = new StringWriter();
        new Table("ID", "TEXT")
                .limit(1, 10)
                .row(1, "short")
                .row(22, "line\nbreak and \033[31mred\033[0m and more")
                .print(new PrintWriter(s));

        assertThat(s.toString())
                .isEqualTo("ID  TEXT\n" + "1   short\n" + "22  line brea…\n")
                .doesNotContain("\033");
    }
}
