package io.nebula.worker.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What PostgreSQL's transactions of several statements set for themselves, and only for themselves:
 * a bound on how long the server waits for the next statement (past it the server ends the session
 * and releases the transaction's locks), and for a snapshot, one view of the database for every
 * read.
 */
class PostgresTransactionsTest {
    private String schema;
    private PostgresDatabase db;

    private record Seen(int backend, String idleLimit, String isolation) {}

    @BeforeEach
    void open() throws SQLException {
        PostgresTestDatabase.require();
        schema = PostgresTestDatabase.newSchema();
        try (Connection c = PostgresTestDatabase.connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA \"" + schema + "\"");
            st.execute("CREATE TABLE \"" + schema + "\".t (n int)");
            st.execute("INSERT INTO \"" + schema + "\".t VALUES (1)");
        }
        db = new PostgresDatabase(
                PostgresTestDatabase.URL,
                PostgresTestDatabase.properties(),
                StoreOptions.defaults("nebula-test").withSchema(schema));
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
        if (schema != null) {
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    private static Seen seen(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_backend_pid(),"
                        + " current_setting('idle_in_transaction_session_timeout'),"
                        + " current_setting('transaction_isolation')")) {
            rs.next();
            return new Seen(rs.getInt(1), rs.getString(2), rs.getString(3));
        }
    }

    private long count(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + schema + "\".t")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Counts the rows, commits one more row from another connection, and counts again. */
    private List<Long> countAroundACommit(Connection c) throws SQLException {
        long before = count(c);
        try (Connection other = PostgresTestDatabase.connect();
                Statement st = other.createStatement()) {
            st.execute("INSERT INTO \"" + schema + "\".t VALUES (2)");
        }
        return List.of(before, count(c));
    }

    /**
     * A plain read on the pooled connection of server session {@code backend}: borrows connections,
     * holding each wrong one so the pool hands out another, until it finds that one.
     */
    private Seen readOn(int backend) throws SQLException {
        List<Connection> borrowed = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Connection c = db.pool().getConnection();
                borrowed.add(c);
                Seen s = seen(c);
                if (s.backend() == backend) {
                    return s;
                }
            }
            throw new AssertionError("no pooled connection is on server session " + backend);
        } finally {
            for (Connection c : borrowed) {
                c.close();
            }
        }
    }

    @Test
    void aTransactionBoundsItsIdleTimeAndItsConnectionForgetsTheBoundAfterIt() throws SQLException {
        String serverDefault;
        try (Connection c = PostgresTestDatabase.connect()) {
            serverDefault = seen(c).idleLimit();
        }

        Seen inside = db.run("t", Mode.TRANSACTION, true, s -> seen(s.connection()));
        Seen afterwards = readOn(inside.backend());

        assertThat(inside.idleLimit()).isEqualTo(PostgresDatabase.ABANDONED_TRANSACTION.toSeconds() + "s");
        assertThat(afterwards.idleLimit()).isEqualTo(serverDefault).isNotEqualTo(inside.idleLimit());
    }

    @Test
    void theReadsOfASnapshotAllSeeTheDatabaseAsOfTheFirstWhereSeparateReadsSeeACommitBetweenThem() throws SQLException {
        List<Long> snapshot = db.run("t", Mode.SNAPSHOT, true, s -> countAroundACommit(s.connection()));
        Seen inside = db.run("t", Mode.SNAPSHOT, true, s -> seen(s.connection()));
        Seen afterwards = readOn(inside.backend());
        List<Long> separate = db.run("t", Mode.READ, true, s -> countAroundACommit(s.connection()));

        assertThat(snapshot).containsExactly(1L, 1L);
        assertThat(separate).containsExactly(2L, 3L);
        assertThat(inside.isolation()).isEqualTo("repeatable read");
        assertThat(inside.idleLimit()).isEqualTo(PostgresDatabase.ABANDONED_TRANSACTION.toSeconds() + "s");
        assertThat(afterwards.isolation()).isEqualTo("read committed");
    }
}
