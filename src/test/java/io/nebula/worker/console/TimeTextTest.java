package io.nebula.worker.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeTextTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void readsTimesWithAZoneAndDurationsBackFromNow() {
        assertThat(TimeText.parse("from", "2026-03-01T10:00:00Z", NOW))
                .isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(TimeText.parse("from", "2026-03-01T11:00:00+01:00", NOW))
                .isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(TimeText.parse("from", "90m", NOW)).isEqualTo(Instant.parse("2026-03-01T10:30:00Z"));
        assertThat(TimeText.parse("from", "1d2h", NOW)).isEqualTo(Instant.parse("2026-02-28T10:00:00Z"));
        assertThat(TimeText.parse("from", " ", NOW)).isNull();
        assertThat(TimeText.parse("from", "PT5M", NOW)).isEqualTo(Instant.parse("2026-03-01T11:55:00Z"));
        assertThat(TimeText.parse("from", "p1dt2h", NOW)).isEqualTo(Instant.parse("2026-02-28T10:00:00Z"));
    }

    @Test
    void refusesANegativeOrOverlongIsoDurationAsNotATime() {
        for (String text : new String[] {"PT-5M", "PT9999999999999H", "P999999999999D"}) {
            assertThatThrownBy(() -> TimeText.parse("from", text, NOW))
                    .as(text)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("from: '" + text + "' is not a time");
        }
    }

    @Test
    void refusesTimesTheStoresCannotKeep() {
        for (String text :
                new String[] {"P999999999D", "999999d", "+999999999-12-31T23:59:59Z", "0000-12-31T23:59:59Z"}) {
            assertThatThrownBy(() -> TimeText.parse("from", text, NOW))
                    .as(text)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("from: '" + text + "' is outside the years 1 to 9999");
        }
        assertThat(TimeText.parse("from", "9999-12-31T23:59:59Z", NOW))
                .isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
    }

    @Test
    void refusesATimeWithoutAZoneNamingTheField() {
        assertThatThrownBy(() -> TimeText.parse("until", "2026-03-01T10:00", NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("until: '2026-03-01T10:00' is not a time");
    }
}
