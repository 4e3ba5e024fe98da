package io.nebula.worker.inspect;

import java.time.Instant;

/**
 * What an available execution waits for, in the few words a list row has room for: a signal (and
 * when that wait times out), its due time, or a worker; and whether its queue is paused, which
 * holds it back whatever it waits for. The CLI's {@code executions list} and the console's
 * execution lists show the same text.
 */
public final class WaitText {
    private WaitText() {}

    /**
     * @param runAt when the execution is due ({@link HumanTime#never} for a signal wait without a
     *     timeout)
     * @param awaitingSignal whether it is parked for a signal
     * @param now the database's clock
     * @param queuePaused whether its queue is paused
     */
    public static String of(Instant runAt, boolean awaitingSignal, Instant now, boolean queuePaused) {
        String paused = queuePaused ? "; its queue is paused" : "";
        if (HumanTime.never(runAt)) {
            return "waiting for a signal" + paused;
        }
        String relative = HumanTime.relative(runAt, now);
        if (runAt.isAfter(now)) {
            return (awaitingSignal ? "waiting for a signal (times out " + relative + ")" : "due " + relative) + paused;
        }
        return "due " + relative + (queuePaused ? paused : ", waiting for a worker");
    }
}
