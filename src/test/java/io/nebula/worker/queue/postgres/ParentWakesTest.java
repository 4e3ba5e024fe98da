package io.nebula.worker.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.StoreException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The queue of passed-on parent wake-ups, with the database call replaced by a function. */
class ParentWakesTest {

    @Test
    void aParentWhoseRowStaysHeldIsTriedBehindTheOthersAndThenGivenUp() {
        Map<Long, AtomicInteger> calls = new ConcurrentHashMap<>();
        List<Long> order = new CopyOnWriteArrayList<>();
        try (ParentWakes wakes = new ParentWakes(parent -> {
            calls.computeIfAbsent(parent, p -> new AtomicInteger()).incrementAndGet();
            order.add(parent);
            return parent == 1 ? null : Boolean.TRUE;
        })) {
            // Queued before the thread starts, so the first try of each comes in this order.
            wakes.offer(1);
            wakes.offer(2);
            wakes.offer(3);
            wakes.start();

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> calls.containsKey(1L) && calls.get(1L).get() == ParentWakes.MAX_TRIES);
            assertThat(calls.get(2L)).hasValue(1);
            assertThat(calls.get(3L)).hasValue(1);
            assertThat(order.subList(0, 4))
                    .as("the held parent's second try comes after the others")
                    .containsExactly(1L, 2L, 3L, 1L);
            // Given up: offered again, it is tried afresh.
            wakes.offer(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get(1L).get() == 2 * ParentWakes.MAX_TRIES);
        }
    }

    @Test
    void aParentPassedOnAgainWhileItsWakeUpIsMadeIsWokenOnceMoreAfterIt() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        List<Long> seen = new CopyOnWriteArrayList<>();
        try (ParentWakes wakes = new ParentWakes(parent -> {
            seen.add(parent);
            if (seen.size() == 1) {
                inside.countDown();
                try {
                    letGo.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Boolean.TRUE;
        })) {
            wakes.start();
            wakes.offer(7);
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            // A sibling's end found the row held by the wake-up under way: twice, as one.
            wakes.offer(7);
            wakes.offer(7);
            letGo.countDown();

            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
            // Nothing further is queued for 7: parent 8 is the next call.
            wakes.offer(8);
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(8L));
        }
        assertThat(seen).containsExactly(7L, 7L, 8L);
    }

    @Test
    void aFailedWakeUpIsNotTriedAgainAndTheOthersGoOn() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        try (ParentWakes wakes = new ParentWakes(parent -> {
            seen.add(parent);
            if (parent == 1) {
                throw new StoreException("the database is down");
            }
            return Boolean.TRUE;
        })) {
            wakes.offer(1);
            wakes.offer(2);
            wakes.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(2L));
        }
        assertThat(seen).containsExactly(1L, 2L);
    }
}
