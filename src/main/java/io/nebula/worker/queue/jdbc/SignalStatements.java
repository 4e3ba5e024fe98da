package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.SignalDelivery;
import io.nebula.worker.queue.SignalView;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Signals sent to executions: deliveries, and reads for the {@code signal} node and for
 * operators. The park of a waiting execution is a completion ({@code execution_await_signal},
 * written by {@link LeaseStatements}); a delivery and a park both lock the execution's row
 * first, so whichever comes second sees the other: a delivery after the park wakes the execution,
 * a park after the delivery finds the signal and stays due.
 */
final class SignalStatements {
    /** Arranges wake-ups for an execution made due inside a delivery's transaction. */
    @FunctionalInterface
    interface Waker {
        void wake(Session s, String queue) throws SQLException;
    }

    private final Database db;

    SignalStatements(Database db) {
        this.db = db;
    }

    /** Delivers; {@code waker} is called (inside the transaction) when a parked execution woke. */
    SignalDelivery signalSend(long id, String name, String dataJson, Waker waker) {
        return db.run("signal_send", Mode.TRANSACTION, false, s -> {
            List<Row> rows = s.query("execution_lock", Params.of("id", id));
            if (rows.isEmpty()) {
                return new SignalDelivery(SignalDelivery.Outcome.NOT_FOUND, null, false);
            }
            ExecutionState st = ExecutionState.parse(rows.get(0).string("state"));
            if (st.isTerminal()) {
                return new SignalDelivery(SignalDelivery.Outcome.FINISHED, st, false);
            }
            List<Row> stored = s.query(
                    "signal_deliver", Params.of("id", id).set("name", name).set("data", dataJson));
            if (stored.isEmpty()) {
                return new SignalDelivery(SignalDelivery.Outcome.DUPLICATE, st, false);
            }
            boolean woke = stored.get(0).bool("awaited")
                    && s.update("signal_wake", Params.of("id", id).set("note", "signal '" + name + "' delivered")) > 0;
            if (woke) {
                List<Row> v = s.query("execution_get", Params.of("id", id));
                waker.wake(s, v.get(0).string("queue"));
            }
            return new SignalDelivery(SignalDelivery.Outcome.DELIVERED, st, woke);
        });
    }

    Optional<SignalView> signalGet(long id, String name) {
        List<Row> rows = db.run(
                "signal_get",
                Mode.READ,
                true,
                s -> s.query("signal_get", Params.of("id", id).set("name", name)));
        return rows.stream().findFirst().map(Records::signal);
    }

    List<SignalView> signalList(long id) {
        List<Row> rows = db.run("signal_list", Mode.READ, true, s -> s.query("signal_list", Params.of("id", id)));
        return rows.stream().map(Records::signal).toList();
    }
}
