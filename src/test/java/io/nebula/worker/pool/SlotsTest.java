package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The concurrency slots: never more taken than there are, every one given back. */
class SlotsTest {
    @Test
    void takingNeverGoesBeyondTheFreeSlots() {
        Slots slots = new Slots(4);

        assertThat(slots.take(3)).isEqualTo(3);
        assertThat(slots.take(3)).as("only one was left").isEqualTo(1);
        assertThat(slots.take(1)).isZero();
        assertThat(slots.inUse()).isEqualTo(4);

        slots.give(2);

        assertThat(slots.free()).isEqualTo(2);
        assertThat(slots.take(10)).isEqualTo(2);
        assertThat(slots.free()).isZero();
    }

    @Test
    void givingBackMoreThanWasTakenIsABug() {
        Slots slots = new Slots(2);
        slots.take(1);

        assertThatThrownBy(() -> slots.give(2)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void waitingForFreeSlotsReturnsAtOnceWhenEnoughAreFreeAndSaysWhetherAnyIs() throws Exception {
        Slots slots = new Slots(4);
        assertThat(slots.awaitFree(2, Duration.ZERO)).isTrue();

        slots.take(4);
        assertThat(slots.awaitFree(2, Duration.ZERO)).isFalse();
        assertThat(slots.awaitAllFree(0, TimeUnit.NANOSECONDS)).isFalse();

        slots.give(1);
        assertThat(slots.awaitFree(2, Duration.ZERO))
                .as("fewer than wanted, but one is free")
                .isTrue();
        assertThat(slots.awaitAllFree(0, TimeUnit.NANOSECONDS)).isFalse();

        slots.give(3);
        assertThat(slots.awaitAllFree(0, TimeUnit.NANOSECONDS)).isTrue();
    }

    @Test
    void aWaiterWakesWhenEnoughSlotsAreGivenBack() {
        Slots slots = new Slots(4);
        slots.take(4);
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return slots.awaitFree(2, Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        await().atMost(Duration.ofSeconds(30)).until(() -> slots.waiting() == 1);
        slots.give(1);
        slots.give(1);

        await().atMost(Duration.ofSeconds(30)).until(waiter::isDone);
        assertThat(waiter.join()).isTrue();
    }

    @Test
    void waitersForDifferentCountsEachWakeWhenTheirsIsReached() {
        // Two waiters at once need two threads (the common pool may have only one on a small machine).
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        Slots slots = new Slots(4);
        slots.take(4);
        CompletableFuture<Boolean> all = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return slots.awaitAllFree(5, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                },
                threads);
        CompletableFuture<Boolean> two = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return slots.awaitFree(2, Duration.ofMinutes(5));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                },
                threads);

        await().atMost(Duration.ofSeconds(30)).until(() -> slots.waiting() == 2);
        slots.give(2);

        await().atMost(Duration.ofSeconds(30)).until(two::isDone);
        assertThat(two.join()).isTrue();
        assertThat(all).as("two of four are free").isNotDone();

        slots.give(2);

        await().atMost(Duration.ofSeconds(30)).until(all::isDone);
        assertThat(all.join()).isTrue();
        threads.close();
    }
}
