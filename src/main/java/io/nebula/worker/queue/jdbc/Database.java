package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.DatabaseProblem;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.redact.Redaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one dialect lends connections and runs work: PostgreSQL through a HikariCP pool, SQLite on a
 * dedicated writer thread. Work that fails with a transient error (serialization failure,
 * deadlock, a lost connection, SQLITE_BUSY) is retried a bounded number of times with jittered
 * backoff, but only when retrying is safe: the error rolled the transaction back, or the work is
 * idempotent (fenced writes are).
 */
public abstract class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    private static final int MAX_TRIES = 4;

    /** A unit of work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Session session) throws SQLException;
    }

    /** What kind of connection and transaction a unit of work needs. */
    public enum Mode {
        /** One statement in auto-commit mode. */
        SINGLE,
        /**
         * A claim: one statement in auto-commit mode whose loss in a power failure is harmless (the
         * claimed executions are still available, or their lease runs out and they are rescued), so
         * a dialect may commit it without waiting for the disk. A process crash never loses it.
         * SQLite runs it as a write transaction, which may hold several statements (a claim of
         * limited queues).
         */
        CLAIM,
        /** Several statements in one write transaction. */
        TRANSACTION,
        /** Reads only. */
        READ,
        /**
         * Reads only, several statements that all see the database as of one moment: a read-only
         * REPEATABLE READ transaction on PostgreSQL, a deferred transaction on SQLite's read
         * connection (in WAL mode it keeps the snapshot of its first read until it ends).
         */
        SNAPSHOT,
        /** The heartbeat: its own connection so a busy pool cannot starve it. */
        HEARTBEAT
    }

    protected final SqlLibrary sql;

    protected Database(SqlLibrary sql) {
        this.sql = sql;
    }

    public SqlLibrary sql() {
        return sql;
    }

    /**
     * Runs {@code work}, retrying transient failures when safe.
     *
     * @param op the operation's name, for errors and logs
     * @param idempotent whether running the work twice is harmless (so a lost connection may be
     *     retried even if the first try might have committed)
     */
    public final <T> T run(String op, Mode mode, boolean idempotent, Work<T> work) {
        SQLException last = null;
        for (int attempt = 1; attempt <= MAX_TRIES; attempt++) {
            try {
                return runOnce(mode, work);
            } catch (SQLException e) {
                last = e;
                Transience t = classify(e);
                boolean retry = t == Transience.ROLLED_BACK || (t == Transience.CONNECTION && idempotent);
                if (!retry || attempt == MAX_TRIES) {
                    break;
                }
                long backoff = backoffMillis(attempt);
                log.debug(
                        "transient database error, retrying op={} try={} backoff_ms={} error={}",
                        op,
                        attempt,
                        backoff,
                        e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new StoreException(op + " interrupted while retrying", e);
                }
            }
        }
        DatabaseProblem problem = last == null ? null : diagnose(last);
        if (problem != null) {
            throw new StoreException(problem, last);
        }
        throw new StoreException(op + " failed: " + describe(last), last);
    }

    /**
     * How to run operation {@code op}: in {@code oneStatement} mode when the dialect writes it as
     * one statement, else as one transaction, so that its statements see the same rows (on SQLite,
     * under the write lock throughout).
     */
    public final Mode modeFor(String op, Mode oneStatement) {
        return sql.get(op).statements().size() > 1 ? Mode.TRANSACTION : oneStatement;
    }

    /**
     * What a failure means in plain words, when it is one the dialect recognises (no such database,
     * refused credentials, no server at the address...); {@code null} otherwise.
     */
    public DatabaseProblem diagnose(SQLException e) {
        return null;
    }

    /**
     * A prepared statement for {@code sql} on {@code connection}, which the caller hands back to
     * {@link #release} when done. Prepares it anew each time unless the dialect keeps statements.
     */
    protected PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        return connection.prepareStatement(sql);
    }

    /** A statement prepared without {@link #prepare} (a migration's) is about to be sent on {@code connection}. */
    protected void statementStarts(Connection connection) {}

    /**
     * Takes back a statement that {@link #prepare} gave for {@code sql} on {@code connection}:
     * closes it unless the dialect keeps it for the next use of the same SQL. {@code done} is false
     * when its use failed, and such a statement is always closed.
     */
    protected void release(Connection connection, String sql, PreparedStatement statement, boolean done)
            throws SQLException {
        close(statement, done);
    }

    /** Closes a statement; when its use failed, an error closing it is dropped for that failure's. */
    protected static void close(PreparedStatement statement, boolean done) throws SQLException {
        if (done) {
            statement.close();
            return;
        }
        try {
            statement.close();
        } catch (SQLException ignored) {
            // the failure that ended its use is the one to report
        }
    }

    /** Runs the work once on a suitable connection; commits or rolls back. */
    protected abstract <T> T runOnce(Mode mode, Work<T> work) throws SQLException;

    /** Converts a list parameter to what the driver expects. */
    protected abstract Object arrayParameter(Connection connection, SqlArray array) throws SQLException;

    /** Converts zipped list parameters; only dialects whose SQL reads {@link SqlRows} support it. */
    protected Object rowsParameter(SqlRows rows) {
        throw new UnsupportedOperationException(sql.dialect() + " SQL does not read zipped rows");
    }

    /** The JDBC type used to bind a {@code null}. */
    protected abstract int nullType();

    /** Classifies an error for the retry decision. */
    protected abstract Transience classify(SQLException e);

    @Override
    public abstract void close();

    /** Kinds of failure. */
    public enum Transience {
        /** Not transient: report it. */
        PERMANENT,
        /** Transient and the transaction was rolled back: always safe to retry. */
        ROLLED_BACK,
        /** The connection broke: the work may or may not have committed. */
        CONNECTION
    }

    protected final Session session(Connection c) {
        return new Session(c, sql, this);
    }

    private static long backoffMillis(int attempt) {
        long base = (long) (20 * Math.pow(4, attempt - 1));
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }

    /** The driver's message without anything that could carry a secret (URLs). */
    public static String describe(SQLException e) {
        if (e == null) {
            return "unknown error";
        }
        String msg = String.valueOf(e.getMessage());
        String state = e.getSQLState();
        return (state == null ? "" : "[" + state + "] ") + Redaction.redact(msg);
    }

    /** A convenience for timeouts in milliseconds. */
    protected static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}
