package io.nebula.worker.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.NodeTry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failed node tries merged into the history, and the phrases that describe them. */
class TimelineTest {
    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    private static HistoryEntry h(int second, String event, int attempt, String worker) {
        return new HistoryEntry(9, T.plusSeconds(second), event, null, "x", attempt, attempt, worker, null);
    }

    private static NodeTry failedTry(int attempt, int n, int second, String error) {
        return new NodeTry(
                attempt, n, T.plusSeconds(second), T.plusSeconds(second).plusMillis(100), error);
    }

    @Test
    void eachTryLandsInsideItsAttemptAttributedToThatAttemptsWorker() {
        List<HistoryEntry> history = List.of(
                h(0, "claimed", 1, "w1"),
                h(5, "retry_scheduled", 1, "w1"),
                h(10, "claimed", 2, "w2"),
                h(20, "succeeded", 2, "w2"));
        // The worker's clock runs 3 s behind the database's: order by attempt still holds.
        NodeResult pay = new NodeResult(
                "pay",
                NodeStatus.SUCCEEDED,
                "{}",
                null,
                2,
                T,
                T,
                List.of(
                        failedTry(1, 1, 0, "HTTP 503"),
                        failedTry(1, 2, 1, "HTTP 503"),
                        failedTry(2, 1, 8, "timed out")));

        List<HistoryEntry> merged = Timeline.of(history, List.of(pay));

        assertThat(merged)
                .extracting(e -> e.event() + "/" + e.attempt() + "/" + e.workerId())
                .containsExactly(
                        "claimed/1/w1",
                        "node_try_failed/1/w1",
                        "node_try_failed/1/w1",
                        "retry_scheduled/1/w1",
                        "claimed/2/w2",
                        "node_try_failed/2/w2",
                        "succeeded/2/w2");
        assertThat(merged.get(5).detail()).isEqualTo("node 'pay' try 1 failed: timed out");
        assertThat(NodeTries.summary(pay))
                .isEqualTo("node 'pay' failed 3 times over 2 attempts (attempt 1 try 1: HTTP 503; attempt 1 try 2:"
                        + " HTTP 503; attempt 2 try 1: timed out), succeeded on try 2 of attempt 2");
    }

    @Test
    void phrasesForOneRetryForRepeatedErrorsAndForAFailedNode() {
        NodeResult once = new NodeResult(
                "reserve", NodeStatus.SUCCEEDED, "{}", null, 1, T, T, List.of(failedTry(1, 1, 0, "HTTP 503")));
        NodeResult failed = new NodeResult(
                "charge",
                NodeStatus.FAILED,
                null,
                "x",
                1,
                T,
                T,
                List.of(
                        failedTry(1, 1, 0, "HTTP 503"),
                        failedTry(1, 2, 1, "HTTP 503"),
                        failedTry(1, 3, 2, "HTTP 503")));
        NodeResult clean = new NodeResult("ok", NodeStatus.SUCCEEDED, "{}", null, 1, T, T);

        assertThat(NodeTries.summary(once)).isEqualTo("node 'reserve' failed once with HTTP 503, succeeded on try 2");
        assertThat(NodeTries.summary(failed))
                .isEqualTo("node 'charge' was tried 3 times, failing each time with HTTP 503");
        assertThat(NodeTries.summary(clean)).isNull();
        assertThat(Timeline.of(List.of(h(0, "claimed", 1, "w1")), List.of(clean)))
                .hasSize(1);
    }
}
