package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.CancelResult;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.InputGuard;
import io.nebula.worker.queue.OperatorStore;
import io.nebula.worker.queue.RetryResult;
import io.nebula.worker.queue.SignalDelivery;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes on an operator's behalf: cancel and retry (credited to who asked in the history), pausing
 * and creating queues, and signals. Those that make executions due wake their claimers.
 */
final class OperatorStatements implements OperatorStore {
    private static final java.util.regex.Pattern QUOTABLE_NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private final Database db;
    private final long maxInputBytes;
    private final long maxInputValues;
    private final Enqueuing enqueuing;
    private final SignalStatements signals;

    OperatorStatements(
            Database db, long maxInputBytes, long maxInputValues, Enqueuing enqueuing, SignalStatements signals) {
        this.db = db;
        this.maxInputBytes = maxInputBytes;
        this.maxInputValues = maxInputValues;
        this.enqueuing = enqueuing;
        this.signals = signals;
    }

    @Override
    public CancelResult executionCancel(long id, String reason, String by) {
        return db.run("execution_cancel", Mode.TRANSACTION, false, s -> {
            List<Row> rows = s.query("execution_lock", Params.of("id", id));
            if (rows.isEmpty()) {
                return CancelResult.NOT_FOUND;
            }
            ExecutionState st = ExecutionState.parse(rows.get(0).string("state"));
            Params p = Params.of("id", id).set("reason", reason);
            return switch (st) {
                case AVAILABLE -> {
                    attribute(s, s.update("execution_cancel_queued", p), id, by);
                    yield CancelResult.CANCELLED;
                }
                case RUNNING -> {
                    // A cancel already requested is not requested again (nor recorded twice).
                    attribute(s, s.update("execution_cancel_request", p), id, by);
                    yield CancelResult.REQUESTED;
                }
                default -> CancelResult.ALREADY_FINISHED;
            };
        });
    }

    /**
     * Credits the history row the operator's statement just wrote (when it wrote one) to {@code
     * by}; the caller holds the execution's lock.
     */
    private static void attribute(Session s, int changed, long id, String by) throws java.sql.SQLException {
        if (changed > 0 && by != null) {
            s.update("history_attribute", Params.of("id", id).set("by", by));
        }
    }

    @Override
    public RetryResult executionRetry(long id, boolean fromScratch, String by) {
        Set<String> queues = new HashSet<>();
        RetryResult result = db.run("execution_retry", Mode.TRANSACTION, false, s -> {
            List<Row> rows = s.query("execution_lock", Params.of("id", id));
            if (rows.isEmpty()) {
                return RetryResult.NOT_FOUND;
            }
            ExecutionState st = ExecutionState.parse(rows.get(0).string("state"));
            if (st != ExecutionState.FAILED && st != ExecutionState.CANCELLED) {
                return RetryResult.NOT_RETRYABLE;
            }
            s.update("node_results_clear", Params.of("id", id).set("all", fromScratch));
            s.update("signal_waits_reset", Params.of("id", id));
            String note = fromScratch
                    ? "retried from scratch by an operator"
                    : "retried by an operator; succeeded nodes are kept";
            attribute(s, s.update("execution_retry", Params.of("id", id).set("note", note)), id, by);
            ExecutionView v =
                    Records.view(s.query("execution_get", Params.of("id", id)).get(0));
            queues.add(v.queue());
            enqueuing.announce(s, queues);
            return RetryResult.REQUEUED;
        });
        if (result == RetryResult.REQUEUED) {
            enqueuing.afterCommit(queues);
        }
        return result;
    }

    @Override
    public void queuePause(String queue, boolean paused) {
        // The pause makes a queue known; one already known keeps working whatever its name.
        checkNameUnlessKnown(queue, "queue pause");
        db.run(
                "queue_pause",
                Mode.SINGLE,
                true,
                s -> s.update("queue_pause", Params.of("name", queue).set("paused", paused)));
        if (!paused) {
            enqueuing.afterCommit(Set.of(queue));
        }
    }

    @Override
    public void queueLimit(String queue, Integer maxRunning) {
        if (maxRunning != null && maxRunning < 1) {
            throw new IllegalArgumentException("queue limit: the most executions of queue '" + queue
                    + "' running at once must be at least 1, not " + maxRunning);
        }
        // Like a pause, a limit makes a queue known; one already known keeps working whatever its name.
        checkNameUnlessKnown(queue, "queue limit");
        // A limit raised or lifted may leave due executions claimable now: claimers are woken.
        db.run("queue_limit", Mode.TRANSACTION, true, s -> {
            s.update("queue_limit", Params.of("name", queue).set("max_running", maxRunning));
            enqueuing.announce(s, Set.of(queue));
            return null;
        });
        enqueuing.afterCommit(Set.of(queue));
    }

    /**
     * Refuses a queue name that breaks the naming rule unless the store already knows a queue of
     * that name (one an earlier build let through).
     */
    private void checkNameUnlessKnown(String queue, String what) {
        if (InputGuard.queueProblem(queue) != null
                && db.run("queue_list", Mode.READ, true, s -> s.query("queue_list", Params.of())).stream()
                        .noneMatch(r -> queue.equals(r.string("name")))) {
            InputGuard.checkQueue(queue, what);
        }
    }

    @Override
    public boolean queueCreate(String queue) {
        InputGuard.checkQueue(queue, "queue create");
        return !db.run("queue_create", Mode.SINGLE, true, s -> s.query("queue_create", Params.of("name", queue)))
                .isEmpty();
    }

    @Override
    public SignalDelivery signalSend(long executionId, String name, String dataJson, String by) {
        // A name is quoted only when it cannot garble the message (the callers check names first).
        String which = name != null && QUOTABLE_NAME.matcher(name).matches() ? "signal '" + name + "'" : "signal";
        InputGuard.check(dataJson, maxInputBytes, maxInputValues, which, "data");
        Set<String> queues = new HashSet<>();
        SignalDelivery d = signals.signalSend(executionId, name, dataJson, (s, queue) -> {
            attribute(s, 1, executionId, by);
            queues.add(queue);
            enqueuing.announce(s, Set.of(queue));
        });
        if (d.woke()) {
            enqueuing.afterCommit(queues);
        }
        return d;
    }
}
