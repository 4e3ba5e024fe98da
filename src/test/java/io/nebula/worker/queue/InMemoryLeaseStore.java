package io.nebula.worker.queue;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The hot path of the store ({@link LeaseStore}) kept in memory, with time read from an injected
 * {@link InstantSource}, so that tests of the pool drive lease expiry with a {@link ManualClock}
 * instead of waiting. It passes the same {@link LeaseStoreContract} as the database stores.
 *
 * <p>Besides the role it offers what a test needs to set up and look: {@link #submit}, {@link
 * #requestCancel}, {@link #executionGet}, {@link #historyList}, {@link #nodeResultList} and the
 * registry rows heartbeats refresh ({@link #workerActive}). It does not park executions on
 * signals (a {@link RunOutcome.AwaitingSignal} is refused), rescue expired leases, prune, or check
 * inputs as a submit to a database store does. All methods are synchronized: one lock stands in for
 * the database's row locks.
 */
public final class InMemoryLeaseStore implements LeaseStore {
    private final InstantSource clock;
    private final Map<Long, Row> rows = new LinkedHashMap<>();
    private final Map<String, Integer> workers = new HashMap<>();
    private long nextId = 1;

    public InMemoryLeaseStore(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ---- setting up and looking ------------------------------------------------------------------

    /** Enqueues an execution, as a submit to a database store does, and returns its id. */
    public synchronized long submit(SubmitRequest r) {
        Instant now = clock.instant();
        long id = nextId++;
        Instant runAt = r.runAt() != null ? r.runAt() : r.delay() != null ? now.plus(r.delay()) : now;
        rows.put(id, new Row(id, r, now, runAt));
        return id;
    }

    /**
     * Asks for an execution to stop, as an operator's cancel does: a waiting one ends cancelled at
     * once; the holder of a running one learns of it from its next heartbeat.
     *
     * @return whether the execution existed and had not finished
     */
    public synchronized boolean requestCancel(long id, String reason, String by) {
        Row e = rows.get(id);
        if (e == null || e.state.isTerminal()) {
            return false;
        }
        if (e.state == ExecutionState.AVAILABLE) {
            e.state = ExecutionState.CANCELLED;
            e.finishedAt = clock.instant();
            e.record("cancelled", ExecutionState.AVAILABLE, by, reason, clock.instant());
        } else if (!e.cancelRequested) {
            e.cancelRequested = true;
            e.record("cancel_requested", ExecutionState.RUNNING, by, reason, clock.instant());
        }
        return true;
    }

    public synchronized Optional<ExecutionView> executionGet(long id) {
        return Optional.ofNullable(rows.get(id)).map(e -> e.view(clock.instant()));
    }

    public synchronized List<HistoryEntry> historyList(long id) {
        Row e = rows.get(id);
        return e == null ? List.of() : List.copyOf(e.history);
    }

    /** The node results of an execution, those of a success included. */
    public synchronized List<NodeResult> nodeResultList(long id) {
        Row e = rows.get(id);
        return e == null ? List.of() : e.results();
    }

    /** The number of active executions the worker's last heartbeat reported, if it sent one. */
    public synchronized Optional<Integer> workerActive(String workerId) {
        return Optional.ofNullable(workers.get(workerId));
    }

    // ---- the role --------------------------------------------------------------------------------

    @Override
    public synchronized List<ClaimedExecution> executionClaim(ClaimRequest request) {
        Instant now = clock.instant();
        List<Row> due = rows.values().stream()
                .filter(e -> e.state == ExecutionState.AVAILABLE
                        && !e.runAt.isAfter(now)
                        && request.queues().contains(e.request.queue()))
                .sorted(Comparator.<Row>comparingInt(e -> e.request.priority())
                        .thenComparing(e -> e.runAt)
                        .thenComparingLong(e -> e.id))
                .limit(request.limit())
                .toList();
        List<ClaimedExecution> out = new ArrayList<>(due.size());
        for (Row e : due) {
            e.state = ExecutionState.RUNNING;
            e.attempt++;
            e.leaseEpoch++;
            e.leaseOwner = request.workerId();
            e.leaseExpiresAt = now.plus(request.visibilityTimeout());
            e.startedAt = e.startedAt == null ? now : e.startedAt;
            e.record("claimed", ExecutionState.AVAILABLE, request.workerId(), null, now);
            Instant queuedSince = e.runAt.isAfter(e.createdAt) ? e.runAt : e.createdAt;
            Duration queued = now.isAfter(queuedSince) ? Duration.between(queuedSince, now) : Duration.ZERO;
            out.add(new ClaimedExecution(
                    e.id,
                    e.request.queue(),
                    e.request.workflowHash(),
                    e.request.workflowName(),
                    e.request.inputJson(),
                    e.attempt,
                    e.request.maxAttempts(),
                    e.leaseEpoch,
                    e.resumable,
                    e.cancelRequested,
                    queued,
                    e.request.traceparent()));
        }
        out.sort(Comparator.comparingLong(ClaimedExecution::id));
        return out;
    }

    @Override
    public synchronized Map<Long, List<NodeResult>> nodeResultsLoad(List<Long> executionIds) {
        Map<Long, List<NodeResult>> out = new HashMap<>();
        for (long id : executionIds) {
            Row e = rows.get(id);
            if (e != null && !e.nodes.isEmpty()) {
                out.put(id, e.results());
            }
        }
        return out;
    }

    @Override
    public synchronized HeartbeatResult leaseHeartbeat(
            String workerId, List<LeaseRef> leases, Duration visibilityTimeout, int active) {
        Instant now = clock.instant();
        Set<Long> extended = new HashSet<>();
        Set<Long> cancel = new HashSet<>();
        for (LeaseRef l : leases) {
            Row e = held(l);
            if (e != null) {
                e.leaseExpiresAt = now.plus(visibilityTimeout);
                extended.add(e.id);
                if (e.cancelRequested) {
                    cancel.add(e.id);
                }
            }
        }
        workers.put(workerId, active);
        return new HeartbeatResult(extended, cancel);
    }

    @Override
    public synchronized List<Boolean> nodeCheckpointMany(List<Checkpoint> checkpoints) {
        Instant now = clock.instant();
        List<Boolean> out = new ArrayList<>(checkpoints.size());
        for (Checkpoint c : checkpoints) {
            Row e = held(c.lease());
            // A lease whose expiry has passed no longer fences, rescued or not.
            boolean live = e != null && e.leaseExpiresAt.isAfter(now);
            if (live) {
                e.write(List.of(c.result()));
            }
            out.add(live);
        }
        return out;
    }

    @Override
    public synchronized List<CompletionResult> executionCompleteMany(List<Completion> completions) {
        if (completions.stream().anyMatch(c -> c.outcome() instanceof RunOutcome.AwaitingSignal)) {
            throw new UnsupportedOperationException("the in-memory lease store does not park executions on signals");
        }
        Instant now = clock.instant();
        List<CompletionResult> out = new ArrayList<>(completions.size());
        for (Completion c : completions) {
            Row e = held(c.lease());
            if (e == null) {
                out.add(alreadyRecorded(c));
                continue;
            }
            e.write(c.nodes());
            e.leaseExpiresAt = null;
            ExecutionState state = switch (c.outcome()) {
                case RunOutcome.Succeeded s -> e.succeed(s, now);
                case RunOutcome.Failed f -> e.fail(f, c.retryDelay(), now);
                case RunOutcome.Waiting w -> e.release(c.reason(), w.delay(), now);
                case RunOutcome.Stopped x
                when x.reason() == StopReason.CANCELLED ->
                    e.end(ExecutionState.CANCELLED, "cancelled", c.reason(), now);
                case RunOutcome.Stopped x -> e.release(c.reason(), Duration.ZERO, now);
                case RunOutcome.AwaitingSignal a -> throw new IllegalStateException("refused above");
            };
            out.add(new CompletionResult(c.lease(), true, state));
        }
        return out;
    }

    /** The running row a lease still holds, by id and epoch; {@code null} when the lease is gone. */
    private Row held(LeaseRef l) {
        Row e = rows.get(l.executionId());
        return e != null && e.state == ExecutionState.RUNNING && e.leaseEpoch == l.leaseEpoch() ? e : null;
    }

    /**
     * A completion that found its lease gone is reported applied when the history shows its own
     * attempt ended the way it asks (an earlier try of it took effect), else lost.
     */
    private CompletionResult alreadyRecorded(Completion c) {
        Row e = rows.get(c.lease().executionId());
        if (e == null) {
            return CompletionResult.lost(c.lease());
        }
        Set<String> events = switch (c.outcome()) {
            case RunOutcome.Succeeded x -> Set.of("succeeded", "cancelled");
            case RunOutcome.Failed x -> Set.of("failed", "retry_scheduled", "cancelled");
            case RunOutcome.Waiting x -> Set.of("released", "waiting", "cancelled");
            case RunOutcome.AwaitingSignal x -> Set.of("awaiting_signal", "cancelled");
            case RunOutcome.Stopped x when x.reason() == StopReason.CANCELLED -> Set.of("cancelled");
            case RunOutcome.Stopped x -> Set.of("released", "cancelled");
        };
        for (HistoryEntry h : e.history) {
            if (h.leaseEpoch() == c.lease().leaseEpoch()
                    && h.fromState().equals("running")
                    && events.contains(h.event())) {
                return new CompletionResult(c.lease(), true, ExecutionState.parse(h.toState()));
            }
        }
        return CompletionResult.lost(c.lease());
    }

    /** One execution: the columns of its row, its node results and its history. */
    private static final class Row {
        final long id;
        final SubmitRequest request;
        final Instant createdAt;
        final Map<String, Node> nodes = new LinkedHashMap<>();
        final List<HistoryEntry> history = new ArrayList<>();
        ExecutionState state = ExecutionState.AVAILABLE;
        Instant runAt;
        int attempt;
        long leaseEpoch;
        String leaseOwner;
        Instant leaseExpiresAt;
        Instant startedAt;
        Instant finishedAt;
        String outputJson;
        String lastError;
        boolean cancelRequested;
        boolean resumable;

        Row(long id, SubmitRequest request, Instant createdAt, Instant runAt) {
            this.id = id;
            this.request = request;
            this.createdAt = createdAt;
            this.runAt = runAt;
        }

        /**
         * Writes node results under the current lease: a new node or one whose stored result failed
         * takes the new result; a final (succeeded or skipped) one is kept. The failed tries a result
         * carries are added to those stored, once, when the stored result is this lease's.
         */
        void write(List<NodeResult> results) {
            for (NodeResult n : results) {
                Node stored = nodes.get(n.nodeId());
                if (stored == null) {
                    stored = new Node(n, leaseEpoch, List.of());
                } else if (stored.result.status() == NodeStatus.FAILED) {
                    stored = new Node(n, leaseEpoch, stored.result.tries());
                }
                if (!n.tries().isEmpty()
                        && stored.leaseEpoch == leaseEpoch
                        && stored.result.attempt() == n.attempt()
                        && !stored.result.tries().containsAll(n.tries())) {
                    List<NodeTry> tries = new ArrayList<>(stored.result.tries());
                    tries.addAll(n.tries());
                    stored = new Node(stored.result, leaseEpoch, tries);
                }
                nodes.put(n.nodeId(), stored);
            }
        }

        List<NodeResult> results() {
            return nodes.values().stream().map(Node::result).toList();
        }

        ExecutionState succeed(RunOutcome.Succeeded s, Instant now) {
            if (cancelRequested) {
                return end(
                        ExecutionState.CANCELLED, "cancelled", "cancel requested; the late result was discarded", now);
            }
            outputJson = s.outputJson();
            return end(ExecutionState.SUCCEEDED, "succeeded", null, now);
        }

        ExecutionState fail(RunOutcome.Failed f, Duration retryDelay, Instant now) {
            boolean again = f.retryable() && attempt < request.maxAttempts();
            String error = f.retryable() && !again
                    ? "max retries exceeded after " + attempt + (attempt == 1 ? " attempt: " : " attempts: ")
                            + f.error()
                    : f.error();
            lastError = error;
            resumable = true;
            if (cancelRequested) {
                return end(ExecutionState.CANCELLED, "cancelled", error, now);
            }
            if (again) {
                runAt = now.plus(retryDelay);
                return requeue("retry_scheduled", error, now);
            }
            return end(ExecutionState.FAILED, "failed", error, now);
        }

        ExecutionState release(String reason, Duration delay, Instant now) {
            resumable = true;
            if (cancelRequested) {
                return end(ExecutionState.CANCELLED, "cancelled", reason, now);
            }
            boolean waits = delay.isPositive();
            if (waits) {
                runAt = now.plus(delay);
            }
            ExecutionState s = requeue(waits ? "waiting" : "released", reason, now);
            attempt--;
            return s;
        }

        ExecutionState end(ExecutionState to, String event, String detail, Instant now) {
            state = to;
            finishedAt = now;
            record(event, ExecutionState.RUNNING, leaseOwner, detail, now);
            return to;
        }

        private ExecutionState requeue(String event, String detail, Instant now) {
            state = ExecutionState.AVAILABLE;
            finishedAt = null;
            record(event, ExecutionState.RUNNING, leaseOwner, detail, now);
            return state;
        }

        void record(String event, ExecutionState from, String by, String detail, Instant now) {
            history.add(
                    new HistoryEntry(id, now, event, from.dbName(), state.dbName(), attempt, leaseEpoch, by, detail));
        }

        ExecutionView view(Instant now) {
            return new ExecutionView(
                    id,
                    request.queue(),
                    request.workflowHash(),
                    request.workflowName(),
                    request.inputJson(),
                    state,
                    request.priority(),
                    runAt,
                    attempt,
                    request.maxAttempts(),
                    0,
                    leaseOwner,
                    leaseEpoch,
                    leaseExpiresAt,
                    createdAt,
                    startedAt,
                    finishedAt,
                    outputJson,
                    lastError,
                    cancelRequested,
                    request.idempotencyKey(),
                    history.isEmpty()
                            ? "submitted"
                            : history.get(history.size() - 1).event(),
                    now);
        }
    }

    /** A stored node result and the lease it was written under. */
    private record Node(NodeResult result, long leaseEpoch, List<NodeTry> tries) {
        Node {
            result = new NodeResult(
                    result.nodeId(),
                    result.status(),
                    result.outputJson(),
                    result.error(),
                    result.attempt(),
                    result.startedAt(),
                    result.finishedAt(),
                    tries);
        }
    }
}
