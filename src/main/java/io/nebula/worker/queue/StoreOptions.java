package io.nebula.worker.queue;

import java.time.Duration;

/**
 * Settings every store understands.
 *
 * @param clientName identifies this process's connections (PostgreSQL {@code ApplicationName},
 *     log lines); the store appends each connection's role
 * @param maxConnections the pool size (PostgreSQL); ignored by SQLite, which has one writer
 * @param statementTimeout how long one statement or commit may wait for the server before its
 *     connection is given up (PostgreSQL; an unreachable server otherwise holds a call until TCP
 *     gives up, hours later)
 * @param listen whether to use server push for wake-ups (PostgreSQL LISTEN); {@code false} is the
 *     poll-only mode for PgBouncer in transaction pooling
 * @param maxInputBytes the largest accepted execution input, in UTF-8 bytes
 * @param maxInputValues the most JSON values an accepted execution input may hold (every object,
 *     array and scalar counts one); the worker's {@code limits.execution_values}
 * @param schema the PostgreSQL schema holding the tables
 */
public record StoreOptions(
        String clientName,
        int maxConnections,
        Duration connectTimeout,
        Duration statementTimeout,
        boolean listen,
        long maxInputBytes,
        long maxInputValues,
        String schema) {

    public static final long DEFAULT_MAX_INPUT_BYTES = 1024 * 1024;
    public static final long DEFAULT_MAX_INPUT_VALUES = 100_000;

    public static StoreOptions defaults(String clientName) {
        return new StoreOptions(
                clientName,
                20,
                Duration.ofSeconds(10),
                Duration.ofSeconds(60),
                true,
                DEFAULT_MAX_INPUT_BYTES,
                DEFAULT_MAX_INPUT_VALUES,
                "nebula");
    }

    public StoreOptions withSchema(String s) {
        return new StoreOptions(
                clientName, maxConnections, connectTimeout, statementTimeout, listen, maxInputBytes, maxInputValues, s);
    }

    public StoreOptions withListen(boolean l) {
        return new StoreOptions(
                clientName, maxConnections, connectTimeout, statementTimeout, l, maxInputBytes, maxInputValues, schema);
    }

    public StoreOptions withMaxConnections(int n) {
        return new StoreOptions(
                clientName, n, connectTimeout, statementTimeout, listen, maxInputBytes, maxInputValues, schema);
    }

    public StoreOptions withConnectTimeout(Duration d) {
        return new StoreOptions(
                clientName, maxConnections, d, statementTimeout, listen, maxInputBytes, maxInputValues, schema);
    }

    public StoreOptions withStatementTimeout(Duration d) {
        return new StoreOptions(
                clientName, maxConnections, connectTimeout, d, listen, maxInputBytes, maxInputValues, schema);
    }

    public StoreOptions withMaxInputBytes(long n) {
        return new StoreOptions(
                clientName, maxConnections, connectTimeout, statementTimeout, listen, n, maxInputValues, schema);
    }

    public StoreOptions withMaxInputValues(long n) {
        return new StoreOptions(
                clientName, maxConnections, connectTimeout, statementTimeout, listen, maxInputBytes, n, schema);
    }
}
