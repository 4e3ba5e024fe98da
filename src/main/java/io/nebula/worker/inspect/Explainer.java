package io.nebula.worker.inspect;

import static io.nebula.worker.inspect.HumanTime.duration;
import static io.nebula.worker.inspect.HumanTime.instant;
import static io.nebula.worker.inspect.HumanTime.relative;

import io.nebula.worker.inspect.Explanation.Reason;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.SignalView;
import io.nebula.worker.queue.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Names the first reason an execution is not running, from {@link ExecutionFacts} alone (a pure
 * function: no I/O, no clock but the database's). The checks go in the order an execution meets
 * them on its way to a worker:
 *
 * <ol>
 *   <li>finished: succeeded, failed, quarantined after worker crashes, or cancelled;
 *   <li>running: a cancel is pending; the lease expired and a rescue is due; the holder went
 *       quiet; or it is simply running on worker X;
 *   <li>not yet due: a durable delay, a wait for a signal, a retry backoff or a scheduled run-at
 *       time (told apart by the last history event);
 *   <li>due, but its queue is paused, no live worker claims from its queue, the queue runs as many
 *       executions as its limit allows, or every live worker
 *       there is at full concurrency;
 *   <li>due and waiting its turn behind N others, or first in line.
 * </ol>
 *
 * Conditions further down that would still hold the execution back once the first one clears are
 * added as notes (a scheduled execution on a paused queue says both).
 */
public final class Explainer {
    private Explainer() {}

    public static Explanation explain(ExecutionFacts f) {
        ExecutionView v = f.execution();
        Explanation e = switch (v.state()) {
            case SUCCEEDED -> succeeded(f);
            case FAILED -> failed(f);
            case CANCELLED -> cancelled(f);
            case RUNNING -> running(f);
            case AVAILABLE -> available(f);
        };
        return withTries(withMaps(e, f), f);
    }

    /**
     * Adds a note per map node that has not succeeded: how many of its items are done, failed,
     * running and pending ("Map node 'notify': 412 of 1000 items done, 4 running, 584 pending.").
     */
    private static Explanation withMaps(Explanation e, ExecutionFacts f) {
        Map<String, MapProgress> maps = MapProgress.of(f.nodes());
        if (maps.isEmpty()) {
            return e;
        }
        boolean active = f.execution().state() == io.nebula.worker.queue.ExecutionState.RUNNING;
        List<String> notes = new ArrayList<>(e.notes());
        for (MapProgress m : maps.values()) {
            boolean succeeded = f.nodes().stream()
                    .anyMatch(n -> n.nodeId().equals(m.nodeId()) && n.status() == NodeStatus.SUCCEEDED);
            if (!succeeded) {
                notes.add("Map node '" + m.nodeId() + "': " + m.summary(active) + ".");
            }
        }
        return new Explanation(e.reason(), e.summary(), notes, e.hint());
    }

    /**
     * Adds a note per node that needed more than one try ("node 'reserve' failed once with HTTP
     * 503, succeeded on try 2"): retries inside an attempt are otherwise invisible in the states.
     */
    private static Explanation withTries(Explanation e, ExecutionFacts f) {
        List<String> tries = new ArrayList<>();
        for (NodeResult n : f.nodes()) {
            if (MapProgress.isItemRow(n)) {
                continue; // a map's items are summed up by withMaps
            }
            String s = NodeTries.summary(n);
            if (s != null) {
                tries.add(Character.toUpperCase(s.charAt(0)) + s.substring(1) + ".");
            }
        }
        if (tries.isEmpty()) {
            return e;
        }
        List<String> notes = new ArrayList<>(e.notes());
        notes.addAll(tries);
        return new Explanation(e.reason(), e.summary(), notes, e.hint());
    }

    // ---- finished --------------------------------------------------------------------------------

    private static Explanation succeeded(ExecutionFacts f) {
        ExecutionView v = f.execution();
        return new Explanation(
                Reason.SUCCEEDED,
                "Finished: succeeded at " + instant(v.finishedAt()) + " after " + attempts(v.attempt()) + took(v) + ".",
                List.of(),
                null);
    }

    private static Explanation failed(ExecutionFacts f) {
        ExecutionView v = f.execution();
        String retry = "`nebula-worker executions retry " + v.id()
                + "` runs it again, keeping the nodes that succeeded (--from-scratch reruns all).";
        if ("quarantined".equals(f.lastEvent())) {
            String holder = f.last("quarantined").map(HistoryEntry::workerId).orElse(null);
            return new Explanation(
                    Reason.QUARANTINED,
                    "Quarantined after worker crashes: the workers running it died " + v.deaths() + " times"
                            + (holder == null ? "" : " (last holder: " + holder + ")")
                            + ", so it was failed as poison at " + instant(v.finishedAt()) + ".",
                    List.of(),
                    "Find out why workers die while running it (their logs, memory limits), then " + retry);
        }
        return new Explanation(
                Reason.FAILED,
                "Finished: failed at " + instant(v.finishedAt()) + " after " + attempts(v.attempt()) + ": "
                        + v.lastError(),
                List.of(),
                retry);
    }

    private static Explanation cancelled(ExecutionFacts f) {
        ExecutionView v = f.execution();
        // A running execution was cancelled on request: the request carries the reason and who
        // asked; the end was written by the worker (or the rescuer) that stopped it.
        Optional<HistoryEntry> asked = f.last("cancel_requested")
                .filter(r -> f.last("retried").map(t -> t.at().isBefore(r.at())).orElse(true));
        Optional<HistoryEntry> end = f.last("cancelled");
        String reason = asked.or(() -> end)
                .map(HistoryEntry::detail)
                .filter(d -> d != null && !d.isBlank())
                .orElse(null);
        String by = asked.or(() -> end).map(HistoryEntry::workerId).orElse(null);
        String why = reason == null && by == null
                ? ""
                : " (" + (reason == null ? "" : reason) + (reason != null && by != null ? "; " : "")
                        + (by == null ? "" : "requested by " + by) + ")";
        return new Explanation(
                Reason.CANCELLED,
                "Finished: cancelled at " + instant(v.finishedAt()) + why + ".",
                List.of(),
                "`nebula-worker executions retry " + v.id() + "` runs it again.");
    }

    // ---- running ---------------------------------------------------------------------------------

    private static Explanation running(ExecutionFacts f) {
        ExecutionView v = f.execution();
        Instant now = f.now();
        String owner = v.leaseOwner();
        Optional<WorkerInfo> holder = f.holder();
        String heartbeat = holder.map(w -> "its last heartbeat was " + ago(w.lastSeenAt(), now))
                .orElse("it is not in the worker registry");
        boolean expired = v.leaseExpiresAt() != null && v.leaseExpiresAt().isBefore(now);
        List<String> notes = new ArrayList<>();
        if (v.deaths() > 0) {
            notes.add("Workers died " + v.deaths() + " time(s) while running it before.");
        }
        if (expired && f.workers().stream().noneMatch(f::isLive)) {
            notes.add("No live worker is running, so no one will rescue it until a worker starts.");
        }
        if (v.cancelRequested()) {
            String when = f.last("cancel_requested")
                    .map(h -> " at " + instant(h.at()))
                    .orElse("");
            boolean silent = holder.isEmpty() || !f.isLive(holder.get());
            String then = expired
                    ? "its lease has expired, so the next rescue ends it as cancelled"
                    : silent
                            ? "worker " + owner + " would stop it at its next heartbeat, but " + heartbeat
                                    + " (live workers beat within " + duration(f.liveWithin()) + "); if it is gone,"
                                    + " its lease expires at " + instant(v.leaseExpiresAt()) + " ("
                                    + relative(v.leaseExpiresAt(), now) + ") and the next rescue ends it as cancelled"
                            : "worker " + owner + " stops it at its next heartbeat (" + heartbeat + ")";
            return new Explanation(Reason.CANCEL_REQUESTED, "Cancel requested" + when + "; " + then + ".", notes, null);
        }
        if (expired) {
            String outcome = v.attempt() >= v.maxAttempts()
                    ? "fail it (this was its last attempt, " + v.attempt() + " of " + v.maxAttempts() + ")"
                    : "return it to the queue, keeping its finished nodes";
            return new Explanation(
                    Reason.LEASE_EXPIRED,
                    "Held by worker " + owner + ", whose lease expired " + ago(v.leaseExpiresAt(), now) + " ("
                            + heartbeat + "): a rescue is due, and the maintenance leader will " + outcome + ".",
                    notes,
                    null);
        }
        if (holder.isEmpty() || !f.isLive(holder.get())) {
            return new Explanation(
                    Reason.WORKER_SILENT,
                    "Running on worker " + owner + ", but " + heartbeat + " (live workers beat within "
                            + duration(f.liveWithin()) + "); if it is gone, its lease expires at "
                            + instant(v.leaseExpiresAt()) + " (" + relative(v.leaseExpiresAt(), now)
                            + ") and the execution will be rescued then.",
                    notes,
                    null);
        }
        return new Explanation(
                Reason.RUNNING,
                "Running on worker " + owner + " (attempt " + v.attempt() + " of " + v.maxAttempts() + ", " + heartbeat
                        + "); its lease is valid until " + instant(v.leaseExpiresAt()) + ".",
                notes,
                null);
    }

    // ---- waiting ---------------------------------------------------------------------------------

    private static Explanation available(ExecutionFacts f) {
        ExecutionView v = f.execution();
        Instant now = f.now();
        List<String> blockers = new ArrayList<>();
        Explanation queueProblem = queueProblem(f);
        if (v.runAt().isAfter(now)) {
            if (queueProblem != null) {
                blockers.add("When it is due: " + queueProblem.summary());
            }
            blockers.addAll(history(f));
            return notDueYet(f, blockers);
        }
        if (queueProblem != null) {
            List<String> notes = new ArrayList<>(queueProblem.notes());
            notes.addAll(history(f));
            return new Explanation(queueProblem.reason(), queueProblem.summary(), notes, queueProblem.hint());
        }
        List<WorkerInfo> live = f.liveWorkersOnQueue();
        int free = live.stream()
                .mapToInt(w -> Math.max(0, w.concurrency() - w.active()))
                .sum();
        String slots = free + " free slot" + (free == 1 ? "" : "s") + " on " + live.size() + " live worker"
                + (live.size() == 1 ? "" : "s");
        if (f.dueAhead() > 0) {
            String n = f.dueAhead() >= f.aheadCap() ? "at least " + f.aheadCap() : Long.toString(f.dueAhead());
            return new Explanation(
                    Reason.WAITING_TURN,
                    "Waiting its turn: " + n + " due execution" + (f.dueAhead() == 1 ? "" : "s") + " of queue '"
                            + v.queue() + "' come before it (by priority, then due time); " + slots + ".",
                    history(f),
                    null);
        }
        return new Explanation(
                Reason.NEXT_IN_LINE,
                "Due since " + instant(v.runAt()) + " (" + ago(v.runAt(), now) + ") and first in line on queue '"
                        + v.queue() + "', with " + slots + ": a worker should claim it at its next poll.",
                history(f),
                null);
    }

    private static Explanation notDueYet(ExecutionFacts f, List<String> notes) {
        ExecutionView v = f.execution();
        String at = instant(v.runAt()) + " (" + relative(v.runAt(), f.now()) + ")";
        return switch (f.lastEvent()) {
            case "waiting" -> {
                // A parent waiting for its sub-workflow is a durable wait too, between looks at its child,
                // which a child's end cuts short.
                String detail = f.last("waiting").map(HistoryEntry::detail).orElse(null);
                yield detail != null && detail.contains("waiting for child execution")
                        ? new Explanation(
                                Reason.DURABLE_WAIT,
                                "Waiting for a sub-workflow (" + detail + "); it looks at the child again as soon as a"
                                        + " child of it ends, at the latest at " + at + ", on any worker of queue '"
                                        + v.queue() + "', holding no slot meanwhile.",
                                notes,
                                null)
                        : new Explanation(
                                Reason.DURABLE_WAIT,
                                "Waiting for a durable delay until " + at + "; any worker on queue '" + v.queue()
                                        + "' resumes it then, after its finished nodes.",
                                notes,
                                null);
            }
            case "awaiting_signal" -> signalWait(f, notes);
            case "retry_scheduled" ->
                new Explanation(
                        Reason.RETRY_BACKOFF,
                        "In retry backoff: attempt " + v.attempt() + " of " + v.maxAttempts() + " failed ("
                                + v.lastError() + "); the next attempt is due at " + at + ".",
                        notes,
                        null);
            default -> new Explanation(Reason.SCHEDULED, "Scheduled for later: it is due at " + at + ".", notes, null);
        };
    }

    /** Parked by {@code signal} nodes: which signals, since when, until when. */
    private static Explanation signalWait(ExecutionFacts f, List<String> notes) {
        ExecutionView v = f.execution();
        List<SignalView> waits = f.awaitedSignals();
        if (waits.isEmpty()) {
            return new Explanation(
                    Reason.SIGNAL_WAIT,
                    "Waiting for a signal; it is due again at " + instant(v.runAt()) + ".",
                    notes,
                    null);
        }
        List<String> parts = new ArrayList<>();
        for (SignalView s : waits) {
            parts.add("signal '" + s.name() + "' since " + instant(s.waitingSince()) + " ("
                    + ago(s.waitingSince(), f.now()) + (s.nodeId() == null ? "" : ", node '" + s.nodeId() + "'")
                    + ")");
        }
        List<String> all = new ArrayList<>();
        for (SignalView s : waits) {
            if (s.timeoutAt() != null) {
                all.add("The wait for '" + s.name() + "' times out at " + instant(s.timeoutAt()) + " ("
                        + relative(s.timeoutAt(), f.now()) + ").");
            }
        }
        all.addAll(notes);
        SignalView first = waits.get(0);
        return new Explanation(
                Reason.SIGNAL_WAIT,
                "Waiting for " + String.join(" and ", parts) + "; its worker slot is free meanwhile.",
                all,
                "`nebula-worker executions signal " + v.id() + " " + first.name()
                        + " --data '{...}'` delivers it; any worker on queue '" + v.queue() + "' then resumes it.");
    }

    /** Why a due execution of this queue cannot be claimed, or {@code null} when it can be. */
    private static Explanation queueProblem(ExecutionFacts f) {
        String q = f.execution().queue();
        if (f.pausedQueues().contains(q)) {
            return new Explanation(
                    Reason.QUEUE_PAUSED,
                    "Queue '" + q + "' is paused, so no worker claims from it.",
                    List.of(),
                    "`nebula-worker queues resume " + q + "` lets workers claim from it again.");
        }
        List<WorkerInfo> live = f.liveWorkersOnQueue();
        if (live.isEmpty()) {
            List<String> others = f.workers().stream()
                    .filter(f::isLive)
                    .map(w -> w.workerId() + " " + w.queues())
                    .toList();
            String detail = others.isEmpty()
                    ? "no worker has sent a heartbeat in the last " + duration(f.liveWithin())
                    : "the live workers claim from other queues: " + String.join(", ", others);
            return new Explanation(
                    Reason.NO_LIVE_WORKER,
                    "No live worker serves queue '" + q + "': " + detail + ".",
                    List.of(),
                    "Start a worker whose WORKER_QUEUES (worker.queues) includes '" + q + "'.");
        }
        if (f.queueLimit() != null && f.queueRunning() >= f.queueLimit()) {
            List<String> notes = f.dueAhead() > 0
                    ? List.of(f.dueAhead() + " due execution(s) of the queue are ahead of it.")
                    : List.of();
            return new Explanation(
                    Reason.QUEUE_AT_LIMIT,
                    "Queue '" + q + "' is at its limit: " + f.queueRunning() + " of its executions run, and it allows "
                            + f.queueLimit() + " at once across all workers; it runs when one of them ends.",
                    notes,
                    "`nebula-worker queues limit " + q + " N` raises the limit, `--none` lifts it.");
        }
        if (live.stream().allMatch(w -> w.active() >= w.concurrency())) {
            int slots = live.stream().mapToInt(WorkerInfo::concurrency).sum();
            List<String> notes = f.dueAhead() > 0
                    ? List.of(f.dueAhead() + " due execution(s) of the queue are ahead of it.")
                    : List.of();
            return new Explanation(
                    Reason.WORKERS_BUSY,
                    "All " + live.size() + " live worker" + (live.size() == 1 ? "" : "s") + " on queue '" + q
                            + "' are at full concurrency (" + slots + " of " + slots
                            + " slots in use at their last heartbeats); it runs when a slot frees up.",
                    notes,
                    "Add workers or raise --concurrency if this persists.");
        }
        return null;
    }

    /** Notes from the history that explain how the execution got here. */
    private static List<String> history(ExecutionFacts f) {
        ExecutionView v = f.execution();
        List<String> notes = new ArrayList<>();
        switch (f.lastEvent()) {
            case "rescued" ->
                f.last("rescued")
                        .ifPresent(h -> notes.add("It was put back in the queue at " + instant(h.at())
                                + " after a worker" + " stopped heartbeating (" + h.detail() + ")."));
            case "released" ->
                f.last("released")
                        .ifPresent(h -> notes.add("Worker " + h.workerId() + " handed it back at " + instant(h.at())
                                + " (" + h.detail() + ")."));
            case "retried" ->
                f.last("retried")
                        .ifPresent(h -> notes.add((h.workerId() == null ? "An operator" : h.workerId())
                                + " retried it at " + instant(h.at()) + "."));
            case "signal_received" ->
                f.last("signal_received")
                        .ifPresent(h -> notes.add("It was waiting for a signal; " + h.detail() + " at "
                                + instant(h.at()) + ", so it runs again."));
            default -> {}
        }
        if (v.deaths() > 0) {
            notes.add("Workers died " + v.deaths() + " time(s) while running it.");
        }
        return notes;
    }

    private static String attempts(int n) {
        return n + " attempt" + (n == 1 ? "" : "s");
    }

    private static String took(ExecutionView v) {
        return v.startedAt() == null || v.finishedAt() == null
                ? ""
                : " (" + duration(Duration.between(v.startedAt(), v.finishedAt())) + " after it first started)";
    }

    private static String ago(Instant t, Instant now) {
        return t == null ? "never" : duration(Duration.between(t, now)) + " ago";
    }
}
