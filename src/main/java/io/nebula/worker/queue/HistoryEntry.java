package io.nebula.worker.queue;

import java.time.Instant;

/**
 * One line of an execution's history: a state transition or an attempt's error, written in the
 * same transaction as the change it records.
 *
 * @param event what happened: submitted, claimed, succeeded, failed, retry_scheduled, released,
 *     waiting, rescued, quarantined, cancel_requested, cancelled, retried
 */
public record HistoryEntry(
        long executionId,
        Instant at,
        String event,
        String fromState,
        String toState,
        int attempt,
        long leaseEpoch,
        String workerId,
        String detail) {}
