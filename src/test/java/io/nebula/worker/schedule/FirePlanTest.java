package io.nebula.worker.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.Schedule.CatchUp;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which due fire times a pass fires, skips, and where it continues: pure, on fixed instants. */
class FirePlanTest {
    private static final CronSchedule EVERY_SECOND = CronSchedule.parse("* * * * * *", "UTC");
    private static final Instant T = Instant.parse("2026-05-04T12:00:00Z");

    @Test
    void onTimeFireTimesAllFireWhateverTheCatchUp() {
        // Three due times, all within the grace: a scheduler that ran a little late.
        for (CatchUp c : List.of(CatchUp.NONE, CatchUp.LATEST, new CatchUp(5))) {
            FirePlan p = FirePlan.of(EVERY_SECOND, T, T.plusSeconds(2), c);
            assertThat(p.fires()).containsExactly(T, T.plusSeconds(1), T.plusSeconds(2));
            assertThat(p.missedSkipped()).isZero();
            assertThat(p.next()).isEqualTo(T.plusSeconds(3));
        }
    }

    @Test
    void missedTimesFollowTheCatchUpAndOnTimeOnesStillFire() {
        Instant now = T.plusSeconds(30);
        // Due: 12:00:00 .. 12:00:30; on time: 12:00:20 .. 12:00:30 (11), missed: 20.
        assertThat(FirePlan.of(EVERY_SECOND, T, now, CatchUp.LATEST).fires())
                .as("latest: the on-time ones are the latest")
                .hasSize(11)
                .startsWith(T.plusSeconds(20));
        FirePlan two = FirePlan.of(EVERY_SECOND, T, now, new CatchUp(2));
        assertThat(two.fires()).hasSize(13).startsWith(T.plusSeconds(18), T.plusSeconds(19), T.plusSeconds(20));
        assertThat(two.missedSkipped()).isEqualTo(18);
        FirePlan none = FirePlan.of(EVERY_SECOND, T, now, CatchUp.NONE);
        assertThat(none.fires()).hasSize(11);
        assertThat(none.missedSkipped()).isEqualTo(20);
    }

    @Test
    void aLongOutageOfAFrequentScheduleIsNotWalkedSecondBySecond() {
        // Two days of every-second fire times: far more than the walk limit.
        Instant now = T.plus(java.time.Duration.ofDays(2));
        FirePlan p = FirePlan.of(EVERY_SECOND, T, now.minusSeconds(60), new CatchUp(3));

        assertThat(p.fires())
                .containsExactly(
                        now.minusSeconds(73),
                        now.minusSeconds(72),
                        now.minusSeconds(71),
                        now.minusSeconds(70),
                        now.minusSeconds(69),
                        now.minusSeconds(68),
                        now.minusSeconds(67),
                        now.minusSeconds(66),
                        now.minusSeconds(65),
                        now.minusSeconds(64),
                        now.minusSeconds(63),
                        now.minusSeconds(62),
                        now.minusSeconds(61),
                        now.minusSeconds(60));
        assertThat(p.missedSkipped()).isGreaterThanOrEqualTo(FirePlan.WALK_LIMIT - 3);
        assertThat(p.next()).isEqualTo(now.minusSeconds(59));
    }

    @Test
    void nothingDueFiresNothing() {
        FirePlan p = FirePlan.of(EVERY_SECOND, T.plusSeconds(5), T, CatchUp.LATEST);
        assertThat(p.fires()).isEmpty();
        assertThat(p.next()).isEqualTo(T.plusSeconds(5));
    }
}
