package io.nebula.worker.inspect;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.SignalView;
import io.nebula.worker.queue.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link Explainer} looks at for one execution, read from the store in a handful of short
 * queries: the execution row (with the database clock), its history, its node results, the worker registry, the
 * paused queues and how many due executions are ahead of it. A plain value, so the explainer is a
 * pure function and tests can check each reason against facts read from a real database.
 *
 * @param nodes the recorded node results, with their failed tries
 * @param workers every registered worker seen within {@link #REGISTRY_WINDOW}, live or not, so the
 *     lease holder can be named even when it went quiet
 * @param dueAhead due executions of the same queue ahead of this one in claim order, at most
 *     {@code aheadCap}
 * @param liveWithin a worker whose last heartbeat is at most this old counts as live
 * @param signals the execution's signals: delivered ones and the waits of its {@code signal} nodes
 * @param queueLimit the most executions of its queue that may run at once across every worker,
 *     {@code null} when the queue has no limit
 * @param queueRunning its queue's running executions, counted only when the queue has a limit (else 0)
 */
public record ExecutionFacts(
        ExecutionView execution,
        List<HistoryEntry> history,
        List<NodeResult> nodes,
        List<WorkerInfo> workers,
        Set<String> pausedQueues,
        long dueAhead,
        int aheadCap,
        Duration liveWithin,
        List<SignalView> signals,
        Integer queueLimit,
        long queueRunning) {

    /** How far back the registry is read; the store forgets workers silent for a day anyway. */
    public static final Duration REGISTRY_WINDOW = Duration.ofDays(1);

    /** The most due executions counted ahead of one execution. */
    public static final int AHEAD_CAP = 10_000;

    public ExecutionFacts {
        history = List.copyOf(history);
        nodes = List.copyOf(nodes);
        workers = List.copyOf(workers);
        pausedQueues = Set.copyOf(pausedQueues);
        signals = List.copyOf(signals);
    }

    /** Reads the facts about {@code id}; empty when there is no such execution. */
    public static Optional<ExecutionFacts> read(ExecutionStore store, long id, Duration liveWithin) {
        Optional<ExecutionView> view = store.executionGet(id);
        if (view.isEmpty()) {
            return Optional.empty();
        }
        ExecutionView v = view.get();
        boolean waitingForTurn = v.state() == io.nebula.worker.queue.ExecutionState.AVAILABLE;
        Integer limit =
                io.nebula.worker.queue.KnownQueue.limits(store.queueList()).get(v.queue());
        long running = limit == null || !waitingForTurn ? 0 : store.queueRunning(v.queue());
        return Optional.of(new ExecutionFacts(
                v,
                store.historyList(id),
                store.nodeResultList(id),
                store.workerList(REGISTRY_WINDOW),
                Set.copyOf(store.queuePausedList()),
                waitingForTurn ? store.executionCountAhead(id, AHEAD_CAP) : 0,
                AHEAD_CAP,
                liveWithin,
                store.signalList(id),
                limit,
                running));
    }

    /** The database clock when the execution row was read. */
    public Instant now() {
        return execution.now();
    }

    /** The most recent history event, or {@code submitted} when there is none. */
    public String lastEvent() {
        return history.isEmpty() ? "submitted" : history.get(history.size() - 1).event();
    }

    /** The most recent history entry with this event. */
    public Optional<HistoryEntry> last(String event) {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).event().equals(event)) {
                return Optional.of(history.get(i));
            }
        }
        return Optional.empty();
    }

    /** Signals a node waits for that have not arrived, longest waiting first. */
    public List<SignalView> awaitedSignals() {
        return signals.stream()
                .filter(s -> s.waitingSince() != null && !s.received())
                .sorted(java.util.Comparator.comparing(SignalView::waitingSince))
                .toList();
    }

    /** Whether {@code w} sent a heartbeat within {@link #liveWithin}. */
    public boolean isLive(WorkerInfo w) {
        return w.lastSeenAt() != null && !w.lastSeenAt().isBefore(now().minus(liveWithin));
    }

    /** Live workers that claim from this execution's queue. */
    public List<WorkerInfo> liveWorkersOnQueue() {
        return workers.stream()
                .filter(this::isLive)
                .filter(w -> w.queues().contains(execution.queue()))
                .toList();
    }

    /** The registry row of the lease holder, if it is registered. */
    public Optional<WorkerInfo> holder() {
        String owner = execution.leaseOwner();
        return owner == null
                ? Optional.empty()
                : workers.stream().filter(w -> w.workerId().equals(owner)).findFirst();
    }
}
