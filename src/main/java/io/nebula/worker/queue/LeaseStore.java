package io.nebula.worker.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The hot path of the store: claims, checkpoint loads, heartbeats, checkpoints and completions.
 * The pool's claim loop, heartbeater and result publisher use only this role.
 *
 * <p>Every write after a claim is guarded by execution id <em>and</em> lease epoch. A write that
 * matches no row means the lease was lost: nothing is written and the result says so. Times come
 * from the store's clock (the database clock for the JDBC stores); callers pass durations, never
 * their own "now". Each method is one short statement or one short transaction, batched over many
 * executions.
 */
public interface LeaseStore {

    /** Claims up to {@code request.limit()} due executions, ordered by priority, run-at, id. */
    List<ClaimedExecution> executionClaim(ClaimRequest request);

    /** Loads the checkpoints of the given executions (for resumed claims), keyed by execution id. */
    Map<Long, List<NodeResult>> nodeResultsLoad(List<Long> executionIds);

    /**
     * Extends the leases of {@code leases} (all held by {@code workerId}) in one statement and
     * refreshes the worker's registry row.
     */
    HeartbeatResult leaseHeartbeat(String workerId, List<LeaseRef> leases, Duration visibilityTimeout, int active);

    /**
     * Writes checkpoints, each fenced by its lease. Returns, per input element, whether it was
     * written (or already present from the same attempt); {@code false} means the lease was lost.
     */
    List<Boolean> nodeCheckpointMany(List<Checkpoint> checkpoints);

    /**
     * Ends attempts, each fenced by its lease, in one transaction. Results are in input order. A
     * completion sent again after it took effect (its sender lost the connection during the commit)
     * is reported applied, with the state it left; any other completion that finds the lease gone
     * is reported lost and writes nothing.
     */
    List<CompletionResult> executionCompleteMany(List<Completion> completions);

    /** A node result to write, fenced by its execution's lease. */
    record Checkpoint(LeaseRef lease, NodeResult result) {}
}
