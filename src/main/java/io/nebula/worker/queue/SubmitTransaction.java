package io.nebula.worker.queue;

import java.sql.Connection;
import java.util.Objects;

/**
 * A caller's open database transaction that a submit joins ({@link
 * SubmissionStore#executionSubmitInTransaction}), so the executions commit or roll back with the
 * caller's own writes. The caller opened it on the same database as the store and keeps its
 * control: the store neither commits, rolls back nor closes it.
 */
public final class SubmitTransaction {
    private final Connection connection;

    private SubmitTransaction(Connection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
    }

    /** The transaction open on {@code connection} (auto-commit off). */
    public static SubmitTransaction on(Connection connection) {
        return new SubmitTransaction(connection);
    }

    /** The connection the transaction is open on, for the store that writes in it. */
    public Connection connection() {
        return connection;
    }
}
