package io.nebula.worker.queue;

import java.util.List;
import java.util.Optional;

/**
 * Definitions and submissions: workflow definitions stored by content hash and deployed by name,
 * and executions enqueued, on their own or inside a caller's transaction together with the
 * definitions they need.
 */
public interface SubmissionStore {
    /** Stores a definition by its content hash; storing the same hash again is a no-op. */
    void workflowPut(WorkflowDocument document);

    Optional<WorkflowDocument> workflowGet(String hash);

    /**
     * Stores a definition (if new) and makes it the latest deployed version of its name, the one
     * {@link #workflowLatest} returns; deploying an earlier version again makes it the latest.
     */
    WorkflowDeployed workflowDeploy(WorkflowDocument document);

    /** The latest deployed version of a workflow name. */
    Optional<WorkflowDocument> workflowLatest(String name);

    /**
     * Stored versions of {@code name} whose hash starts with {@code hashPrefix}, at most two (two
     * mean the prefix is ambiguous).
     */
    List<WorkflowDocument> workflowFind(String name, String hashPrefix);

    /** Every stored version of {@code name}: deployed ones, latest first, then the others, newest first. */
    List<WorkflowVersion> workflowVersions(String name);

    /**
     * One entry per workflow name: its current version (the latest deployed, else the newest
     * stored) with the number of versions stored.
     */
    List<WorkflowVersion> workflowNames();

    /**
     * Enqueues executions in one round trip and one transaction. Results are in request order.
     *
     * @throws SubmitRejectedException when an input is unacceptable (size, NUL, invalid JSON);
     *     nothing is written then
     */
    List<Submitted> executionSubmitMany(List<SubmitRequest> requests);

    /**
     * Stores {@code definitions} (those not stored yet) and enqueues {@code requests} inside the
     * caller's open transaction {@code transaction}, so the executions exist exactly when the
     * caller's own writes commit. The caller commits or rolls back.
     *
     * @throws SubmitRejectedException when an input is unacceptable (size, NUL, invalid JSON)
     */
    List<Submitted> executionSubmitInTransaction(
            SubmitTransaction transaction, List<WorkflowDocument> definitions, List<SubmitRequest> requests);

    /**
     * What a deploy did.
     *
     * @param version the deployed version, now the latest of its name
     * @param stored whether the definition was new to the store
     * @param previousHash the latest deployed version of the name before, or {@code null}
     */
    record WorkflowDeployed(WorkflowVersion version, boolean stored, String previousHash) {}
}
