package io.nebula.worker.observe;

import io.nebula.worker.queue.HistoryEntry;
import java.util.List;

/**
 * The claim before an attempt, which the attempt's span links to, and why the execution came back:
 * {@code retry} (the attempt failed and was scheduled again), {@code rescued} (its worker stopped
 * heartbeating and the lease expired), {@code wait} (a durable delay or a parent waiting for its
 * sub-workflow), {@code signal} (parked for a signal), {@code released} (handed back, e.g. by a
 * worker shutting down), {@code manual_retry} (failed or cancelled, then retried by an operator),
 * or {@code unknown} (the history could not be read).
 *
 * @param attempt the earlier claim's attempt number, or 0 when unknown
 * @param leaseEpoch the earlier claim's lease epoch (each claim has the next one)
 * @param workerId the worker that held the earlier claim, or {@code null} when unknown
 */
public record PreviousAttempt(String reason, int attempt, long leaseEpoch, String workerId) {

    /** The claim before the one with {@code leaseEpoch}, when its history could not be read. */
    public static PreviousAttempt unknown(long leaseEpoch) {
        return new PreviousAttempt("unknown", 0, leaseEpoch - 1, null);
    }

    /**
     * The claim before the one with {@code leaseEpoch}, read from the execution's history (oldest
     * first): the claim's own line and the first line that ended it decide.
     */
    public static PreviousAttempt of(List<HistoryEntry> history, long leaseEpoch) {
        long earlier = leaseEpoch - 1;
        HistoryEntry claim = null;
        HistoryEntry end = null;
        boolean retriedByHand = false;
        for (HistoryEntry h : history) {
            if (h.leaseEpoch() != earlier) {
                continue;
            }
            switch (h.event()) {
                case "claimed" -> claim = h;
                case "retried" -> retriedByHand = true;
                case "retry_scheduled",
                        "rescued",
                        "waiting",
                        "awaiting_signal",
                        "released",
                        "failed",
                        "cancelled",
                        "quarantined" -> {
                    if (end == null) {
                        end = h;
                    }
                }
                default -> {
                    // a cancel request or a signal's arrival does not end the claim
                }
            }
        }
        if (claim == null && end == null) {
            return unknown(leaseEpoch);
        }
        String reason = retriedByHand ? "manual_retry" : end == null ? "unknown" : reason(end.event());
        HistoryEntry who = claim != null ? claim : end;
        return new PreviousAttempt(reason, who.attempt(), earlier, who.workerId());
    }

    private static String reason(String event) {
        return switch (event) {
            case "retry_scheduled" -> "retry";
            case "rescued" -> "rescued";
            case "waiting" -> "wait";
            case "awaiting_signal" -> "signal";
            case "released" -> "released";
            default -> event;
        };
    }
}
