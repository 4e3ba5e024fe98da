package io.nebula.worker.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The wake-ups of committed submits: sent one at a time, what came meanwhile sent together. */
class AnnouncerTest {
    private final List<Set<String>> sent = new CopyOnWriteArrayList<>();
    private final CountDownLatch sending = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    /** Records each send; the first waits for {@link #release}. */
    private void send(Set<String> queues) {
        sent.add(queues);
        if (sent.size() == 1) {
            sending.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void queuesHandedOverWhileAWakeUpIsSentAreSentTogetherInTheNextOne() throws Exception {
        Announcer announcer = new Announcer(this::send);
        announcer.announce(Set.of("a"));
        assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
        announcer.announce(Set.of("b"));
        announcer.announce(Set.of("c", "b"));

        release.countDown();
        announcer.close();

        assertThat(sent).containsExactly(Set.of("a"), Set.of("b", "c"));
    }

    @Test
    void aFailedWakeUpIsDroppedAndTheNextIsStillSent() {
        List<Set<String>> tried = new CopyOnWriteArrayList<>();
        Announcer announcer = new Announcer(queues -> {
            tried.add(queues);
            if (queues.contains("broken")) {
                throw new IllegalStateException("the database went away");
            }
        });
        announcer.announce(Set.of("broken"));
        await().atMost(Duration.ofSeconds(10)).until(() -> tried.size() == 1);
        announcer.announce(Set.of("fine"));
        announcer.close();

        assertThat(tried).containsExactly(Set.of("broken"), Set.of("fine"));
    }

    @Test
    void closeWaitsForTheWakeUpsStillBeingSent() throws Exception {
        Announcer announcer = new Announcer(this::send);
        announcer.announce(Set.of("a"));
        assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
        announcer.announce(Set.of("b"));
        Thread closing = Thread.ofPlatform().start(announcer::close);

        // close waits, its thread parked with a timeout, until the pending wake-ups are sent.
        await().atMost(Duration.ofSeconds(10)).until(() -> closing.getState() == Thread.State.TIMED_WAITING);
        assertThat(sent).containsExactly(Set.of("a"));
        release.countDown();
        assertThat(closing.join(Duration.ofSeconds(10))).isTrue();
        assertThat(sent).containsExactly(Set.of("a"), Set.of("b"));
    }

    @Test
    void aHandOverAfterCloseIsDropped() {
        List<Set<String>> tried = new CopyOnWriteArrayList<>();
        Announcer announcer = new Announcer(tried::add);
        announcer.announce(Set.of("a"));
        announcer.close();
        announcer.announce(Set.of("late"));
        announcer.close();

        assertThat(tried).containsExactly(Set.of("a"));
    }

    @Test
    void everyQueueHandedOverFromManyThreadsIsSentBeforeCloseReturns() throws Exception {
        Set<String> got = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Announcer announcer = new Announcer(got::addAll);
        int threads = 4;
        int each = 500;
        List<Thread> senders = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = t * each;
            senders.add(Thread.ofPlatform().start(() -> {
                for (int i = from; i < from + each; i++) {
                    announcer.announce(Set.of("q" + i));
                }
            }));
        }
        for (Thread t : senders) {
            assertThat(t.join(Duration.ofSeconds(10))).isTrue();
        }
        announcer.close();

        assertThat(got).hasSize(threads * each);
    }
}
