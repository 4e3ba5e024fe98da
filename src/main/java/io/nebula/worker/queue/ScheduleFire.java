package io.nebula.worker.queue;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One pass over one due schedule, written by {@link ExecutionStore#scheduleFire} in one
 * transaction: submit {@code requests} (each with its fire time's idempotency key) and move the
 * schedule's next fire time to {@code nextFireAt}, provided the schedule still has the next fire
 * time the caller read ({@code expectedNextFireAt}) and is not paused.
 *
 * @param fireTimes the fire times fired, oldest first, one per request (may be empty: everything
 *     due was skipped)
 * @param skipIfPreviousRunning fire nothing (and still advance) while the execution fired last is
 *     not finished
 */
public record ScheduleFire(
        String name,
        Instant expectedNextFireAt,
        List<Instant> fireTimes,
        List<SubmitRequest> requests,
        Instant nextFireAt,
        boolean skipIfPreviousRunning) {

    public ScheduleFire {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(expectedNextFireAt, "expectedNextFireAt");
        Objects.requireNonNull(nextFireAt, "nextFireAt");
        fireTimes = List.copyOf(fireTimes);
        requests = List.copyOf(requests);
        if (fireTimes.size() != requests.size()) {
            throw new IllegalArgumentException("one request per fire time");
        }
    }

    /** What the pass did. */
    public enum Outcome {
        /** The requests were submitted (some may have existed already) and the schedule advanced. */
        FIRED,
        /** The previous execution still runs and overlap is skip: nothing submitted, advanced. */
        SKIPPED_OVERLAP,
        /** Another worker handled these fire times first, or the schedule changed: nothing written. */
        STALE
    }

    /**
     * @param submitted per request, in order: the execution and whether this pass created it
     */
    public record Result(Outcome outcome, List<Submitted> submitted) {
        public Result {
            submitted = List.copyOf(submitted);
        }
    }
}
