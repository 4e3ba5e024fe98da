package io.nebula.worker.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.HistoryEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Why an execution came back, read from its history for the link of the next attempt's span, and
 * the span ids that let an attempt name the one before without storing it.
 */
class PreviousAttemptTest {
    private static HistoryEntry h(String event, int attempt, long epoch, String worker) {
        return new HistoryEntry(7, Instant.EPOCH, event, "running", "available", attempt, epoch, worker, null);
    }

    @Test
    void theEventThatEndedTheEarlierClaimSaysWhy() {
        List<HistoryEntry> history = List.of(
                h("submitted", 0, 0, null),
                h("claimed", 1, 1, "a"),
                h("retry_scheduled", 1, 1, "a"),
                h("claimed", 2, 2, "b"),
                h("rescued", 2, 2, "b"),
                h("claimed", 3, 3, "c"),
                h("awaiting_signal", 2, 3, "c"),
                h("signal_received", 2, 3, null),
                h("claimed", 3, 4, "d"),
                h("waiting", 2, 4, "d"),
                h("claimed", 3, 5, "e"),
                h("released", 2, 5, "e"),
                h("claimed", 3, 6, "f"),
                h("cancel_requested", 3, 6, null),
                h("failed", 3, 6, "f"),
                h("retried", 0, 6, null),
                h("claimed", 1, 7, "g"));

        assertThat(PreviousAttempt.of(history, 2)).isEqualTo(new PreviousAttempt("retry", 1, 1, "a"));
        assertThat(PreviousAttempt.of(history, 3)).isEqualTo(new PreviousAttempt("rescued", 2, 2, "b"));
        assertThat(PreviousAttempt.of(history, 4)).isEqualTo(new PreviousAttempt("signal", 3, 3, "c"));
        assertThat(PreviousAttempt.of(history, 5)).isEqualTo(new PreviousAttempt("wait", 3, 4, "d"));
        assertThat(PreviousAttempt.of(history, 6)).isEqualTo(new PreviousAttempt("released", 3, 5, "e"));
        assertThat(PreviousAttempt.of(history, 7)).isEqualTo(new PreviousAttempt("manual_retry", 3, 6, "f"));
    }

    @Test
    void aMissingHistorySaysUnknownButStillNamesTheEarlierEpoch() {
        assertThat(PreviousAttempt.of(List.of(), 5)).isEqualTo(new PreviousAttempt("unknown", 0, 4, null));
        assertThat(PreviousAttempt.unknown(5).leaseEpoch()).isEqualTo(4);
    }

    @Test
    void attemptSpanIdsAreStablePerClaimAndDistinctAcrossClaimsAndExecutions() {
        assertThat(AttemptSpanIds.of(42, 3)).isEqualTo(AttemptSpanIds.of(42, 3)).matches("[0-9a-f]{16}");
        Set<String> ids = new HashSet<>();
        List<String> all = new ArrayList<>();
        for (long execution = 0; execution < 200; execution++) {
            for (long epoch = 1; epoch <= 50; epoch++) {
                String id = AttemptSpanIds.of(execution, epoch);
                ids.add(id);
                all.add(id);
            }
        }
        assertThat(ids).hasSize(all.size()).doesNotContain("0000000000000000");
    }

    @Test
    void attemptSpanIdsAreTheSameOnEveryWorkerVersion() {
        // A retry on another worker links to the earlier attempt by computing its id again, so the
        // ids of existing claims must never change: these are the first release's values.
        assertThat(AttemptSpanIds.of(42, 3)).isEqualTo("4522ed870117e67e");
        assertThat(AttemptSpanIds.of(1, 1)).isEqualTo("87297283e92b061a");
        assertThat(AttemptSpanIds.of(123_456_789, 7)).isEqualTo("b605a8bb9aafc22b");
        assertThat(AttemptSpanIds.of(7_490, 1)).isEqualTo("0000eab85fcc5e13");
    }

    @Test
    void theIdGeneratorHandsTheNamedIdToOneSpanOnly() {
        AttemptSpanIds ids = new AttemptSpanIds();
        String first = ids.naming("00000000000000ab", ids::generateSpanId);
        assertThat(first).isEqualTo("00000000000000ab");
        assertThat(ids.generateSpanId()).isNotEqualTo("00000000000000ab").matches("[0-9a-f]{16}");
    }
}
