package io.nebula.worker.queue.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.nebula.worker.queue.DatabaseProblem;
import io.nebula.worker.queue.Dialect;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.jdbc.Database;
import io.nebula.worker.queue.jdbc.Params;
import io.nebula.worker.queue.jdbc.SqlArray;
import io.nebula.worker.queue.jdbc.SqlLibrary;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL connections: a HikariCP pool for queue work and a one-connection pool for heartbeats,
 * every connection at READ COMMITTED (a SKIP LOCKED claim under REPEATABLE READ raises 40001
 * instead of skipping), with bounded connect timeouts, TCP keepalive and an {@code ApplicationName}
 * naming the worker and the connection's role. A pooled call's waits for the server are bounded by
 * a {@link CallWatchdog} (the socket timeout bounds only the connection's set-up), unless the
 * configuration sets a socket timeout of its own.
 *
 * <p>Connections carry no session state: the SQL names every table and function with the schema,
 * and every start-up parameter is one PgBouncer passes on ({@code assumeMinServerVersion} makes
 * pgjdbc send {@code application_name} at start-up instead of a {@code SET} afterwards). The first
 * connection tells whether a pooler sits in between (the backend process id it reported at
 * start-up is not the server's); behind one the worker assumes transaction pooling: it refuses to
 * start with LISTEN or with a server whose default isolation is not READ COMMITTED (both would
 * need session state), and it sends only unnamed statements ({@code prepareThreshold=0}), since a
 * named prepared statement lives on one server connection and the next transaction may get
 * another.
 */
final class PostgresDatabase extends Database {
    private static final Logger log = LoggerFactory.getLogger(PostgresDatabase.class);
    private final HikariDataSource pool;
    private final HikariDataSource heartbeatPool;
    private final String jdbcUrl;
    private final Properties baseProperties;
    private final StoreOptions options;
    private final PostgresDiagnosis diagnosis;
    /** Bounds each pooled call's waits; null when the configuration set a socket timeout of its own. */
    private final CallWatchdog watchdog;

    private final ReentrantLock checkLock = new ReentrantLock();
    private volatile boolean checked;
    private volatile boolean pooled;

    PostgresDatabase(String jdbcUrl, Properties properties, StoreOptions options) {
        super(new SqlLibrary(
                Dialect.POSTGRES,
                Map.of(
                        "schema",
                        options.schema(),
                        "channel",
                        channel(options.schema()),
                        "parent_channel",
                        parentChannel(options.schema()))));
        this.jdbcUrl = jdbcUrl;
        this.options = options;
        this.baseProperties = new Properties();
        baseProperties.putAll(properties);
        // pgjdbc sends application_name and extra_float_digits as start-up parameters instead of
        // SET statements after connecting (session state a transaction pooler would not keep).
        baseProperties.putIfAbsent("assumeMinServerVersion", "9.6");
        baseProperties.setProperty("tcpKeepAlive", "true");
        baseProperties.putIfAbsent(
                "connectTimeout",
                String.valueOf(Math.max(1, options.connectTimeout().toSeconds())));
        baseProperties.putIfAbsent(
                "socketTimeout",
                String.valueOf(Math.max(1, options.statementTimeout().toSeconds())));
        baseProperties.putIfAbsent(
                "loginTimeout",
                String.valueOf(Math.max(1, options.connectTimeout().toSeconds())));
        this.diagnosis = new PostgresDiagnosis(jdbcUrl, properties);
        this.pool = newPool("pool", Math.max(2, options.maxConnections()));
        this.heartbeatPool = newPool("heartbeat", 1);
        // The pools' calls are bounded by the watchdog rather than by a socket timeout on every
        // read, unless the configuration sets one (then every read keeps pgjdbc's timer).
        this.watchdog = properties.containsKey("socketTimeout") || jdbcUrl.contains("socketTimeout=")
                ? null
                : new CallWatchdog(
                        Duration.ofSeconds(
                                Math.max(1, options.statementTimeout().toSeconds())),
                        "nebula-call-watchdog");
    }

    /** The NOTIFY channel for a schema, so several schemas in one database do not wake each other. */
    static String channel(String schema) {
        return "nebula_wakeup_" + schema;
    }

    /**
     * The channel on which a child's end passes on its parent's wake-up when the parent's row was
     * held (migration 13), the parent's id as payload.
     */
    static String parentChannel(String schema) {
        return "nebula_parent_" + schema;
    }

    String jdbcUrl() {
        return jdbcUrl;
    }

    /** Properties for a dedicated connection with the given role (the listener). */
    Properties propertiesFor(String role) {
        Properties p = new Properties();
        p.putAll(baseProperties);
        p.setProperty("ApplicationName", applicationName(role));
        return p;
    }

    Connection openDedicated(String role) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, propertiesFor(role));
    }

    /**
     * The wake-up listener's connection: its sockets come from {@link ListenSocketFactory} unless
     * the configuration names a socket factory of its own (a property here, or a URL parameter,
     * which pgjdbc prefers to properties), or pgjdbc's class loader cannot see that class. A factory
     * named only in a pg_service file or {@code driverconfig.properties} ranks below properties in
     * pgjdbc and is replaced on this one connection.
     */
    Connection openListener() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, listenerProperties());
    }

    Properties listenerProperties() {
        Properties p = propertiesFor("listen");
        if (listenSocketFactoryVisible()) {
            p.putIfAbsent("socketFactory", ListenSocketFactory.class.getName());
        }
        return p;
    }

    private static boolean listenSocketFactoryVisible() {
        try {
            return Class.forName(ListenSocketFactory.class.getName(), false, PGConnection.class.getClassLoader())
                    == ListenSocketFactory.class;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public DatabaseProblem diagnose(SQLException e) {
        return diagnosis.diagnose(e);
    }

    /**
     * Opens one fresh connection outside the pool, reads the database clock through it and closes
     * it: a wrong address, database or credential fails here at once with the server's answer,
     * where the pool would wait its whole connection timeout before reporting it; and behind a
     * pooler, a server that does not answer holds the probe back although the login succeeded.
     */
    void probe() {
        try (Connection c = openDedicated("probe")) {
            check(c);
            // A login alone proves little behind a pooler, which accepts clients while the server
            // behind it does not answer: a statement reaches the server.
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(
                            sql.get("database_now").statements().get(0).sql())) {
                rs.next();
            } catch (SQLException e) {
                DatabaseProblem p = diagnose(e);
                throw p != null
                        ? new StoreException(p, e)
                        : new StoreException(
                                "the login succeeded but the database did not answer a statement: " + describe(e), e);
            }
        } catch (SQLException e) {
            DatabaseProblem p = diagnose(e);
            throw p != null ? new StoreException(p, e) : new StoreException("connect failed: " + describe(e), e);
        }
    }

    /** Whether the connections pass through a pooler (known once the first connection was checked). */
    boolean pooled() {
        return pooled;
    }

    /**
     * Checks once per store, on the first connection, whether a pooler sits between the worker and
     * PostgreSQL and, if so, that nothing this store is configured for needs a session of its own.
     *
     * @throws StoreException (permanent) naming what cannot run through transaction pooling
     */
    private void check(Connection c) throws SQLException {
        if (checked) {
            return;
        }
        checkLock.lock();
        try {
            if (checked) {
                return;
            }
            int reported = c.unwrap(PGConnection.class).getBackendPID();
            int actual;
            String isolation;
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(
                            sql.get("connection_facts").statements().get(0).sql())) {
                rs.next();
                actual = rs.getInt("backend_pid");
                isolation = rs.getString("default_isolation");
            }
            if (reported != actual) {
                List<String> needs = new ArrayList<>();
                if (options.listen()) {
                    needs.add("queue.listen = true (LISTEN needs a session of its own): set queue.listen = false;"
                            + " workers then find new executions by polling every worker.poll_interval_ms");
                }
                if (!"read committed".equalsIgnoreCase(isolation)) {
                    needs.add("the server's default_transaction_isolation is '" + isolation
                            + "' (the worker needs READ COMMITTED, and a pooled session cannot keep a"
                            + " per-session setting): ALTER ROLE <the worker's user> SET"
                            + " default_transaction_isolation = 'read committed'");
                }
                if (!needs.isEmpty()) {
                    String why = "the database at " + diagnosis.where()
                            + " is reached through a connection pooler such as PgBouncer (the connection"
                            + " reported backend pid " + reported + ", the server runs it as " + actual
                            + "), where each transaction may get another server connection, but ";
                    throw new StoreException(
                            DatabaseProblem.permanentProblem(
                                    why + String.join("; and ", needs)
                                            + ". Or point DATABASE_URL at PostgreSQL directly.",
                                    "the database is reached through a connection pooler, which cannot keep "
                                            + (options.listen() ? "LISTEN" : "the isolation level")
                                            + ": see the log"),
                            null);
                }
                log.info(
                        "database reached through a connection pooler, transaction pooling assumed:"
                                + " statements are sent unnamed address={}",
                        diagnosis.where());
                pooled = true;
            }
            checked = true;
        } finally {
            checkLock.unlock();
        }
    }

    private String applicationName(String role) {
        String name = options.clientName() + "/" + role;
        // PostgreSQL truncates application_name to 63 bytes; keep the role visible.
        return name.length() <= 63 ? name : name.substring(0, 62 - role.length()) + "/" + role;
    }

    private HikariDataSource newPool(String role, int size) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("nebula-" + role);
        c.setJdbcUrl(jdbcUrl);
        // The socket timeout stays for connection set-up (pgjdbc's handshake reads have no other
        // bound); runOnce takes it off a watched connection's socket.
        c.setDataSourceProperties(propertiesFor(role));
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(Math.min(size, 2));
        c.setConnectionTimeout(Math.max(250, millis(options.connectTimeout())));
        c.setValidationTimeout(Math.max(250, Math.min(5000, millis(options.connectTimeout()))));
        c.setKeepaliveTime(30_000);
        c.setMaxLifetime(30 * 60_000);
        c.setIdleTimeout(10 * 60_000);
        c.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        // Start even when the database is down: readiness reports it, the loops retry.
        c.setInitializationFailTimeout(-1);
        return new HikariDataSource(c);
    }

    /** Whether the call watchdog bounds the pools' waits (no socket timeout was configured). */
    boolean watched() {
        return watchdog != null;
    }

    HikariDataSource pool() {
        return pool;
    }

    @Override
    protected <T> T runOnce(Mode mode, Work<T> work) throws SQLException {
        HikariDataSource ds = mode == Mode.HEARTBEAT ? heartbeatPool : pool;
        try (Connection c = ds.getConnection()) {
            if (watchdog != null) {
                // Hikari puts the set-up timeout back after each validation.
                PGConnection pg = c.unwrap(PGConnection.class);
                Connection physical = (Connection) pg;
                if (physical.getNetworkTimeout() != 0) {
                    physical.setNetworkTimeout(Runnable::run, 0);
                }
            }
            CallWatchdog.Call call = watchdog == null ? null : watchdog.begin(c);
            boolean aborted = false;
            try {
                return runOnce(c, mode, work);
            } catch (SQLException | RuntimeException e) {
                // A call's work may wrap the failed read in an exception of its own; whatever it
                // threw, an aborted call failed because the server did not answer.
                aborted = call != null && watchdog.end(call);
                if (aborted) {
                    // Said as the socket timeout said it: the server did not answer in time.
                    String why = "no answer within "
                            + options.statementTimeout().toSeconds() + " s; the connection was closed";
                    SQLException timedOut = new SQLException(why, "08006", new SocketTimeoutException(why));
                    timedOut.addSuppressed(e);
                    throw timedOut;
                }
                throw e;
            } finally {
                if (call != null && !aborted) {
                    watchdog.end(call);
                }
            }
        }
    }

    private <T> T runOnce(Connection c, Mode mode, Work<T> work) throws SQLException {
        check(c);
        if (pooled) {
            // A named statement would live on one server connection; the next transaction
            // may run on another.
            c.unwrap(PGConnection.class).setPrepareThreshold(0);
        }
        T result;
        if (mode == Mode.TRANSACTION || mode == Mode.SNAPSHOT) {
            c.setAutoCommit(false);
            try {
                if (mode == Mode.SNAPSHOT) {
                    // First in the transaction, as PostgreSQL requires; for this transaction only.
                    session(c).update("transaction_snapshot", Params.of());
                }
                abandonAfter(c);
                result = work.run(session(c));
                if (watchdog != null) {
                    watchdog.renew(c);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                restoreAutoCommit(c);
            }
        } else {
            result = work.run(session(c));
        }
        return result;
    }

    /** Each statement of a call begins a new wait for the server, which the watchdog bounds. */
    @Override
    protected PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        statementStarts(connection);
        return super.prepare(connection, sql);
    }

    @Override
    protected void statementStarts(Connection connection) {
        if (watchdog != null) {
            watchdog.renew(connection);
        }
    }

    /**
     * How long the server keeps one of our transactions open while waiting for its next statement.
     * Its statements follow one another without pause, so a longer wait means the client is gone
     * (killed, or cut off by the network between two statements): the server then ends the session,
     * rolls the transaction back and releases its row locks, which would otherwise keep a rescue
     * from taking those executions until TCP gave up on the connection (hours by default).
     */
    static final Duration ABANDONED_TRANSACTION = Duration.ofSeconds(10);

    /** Bounds the current transaction's idle time by {@link #ABANDONED_TRANSACTION} (this transaction only). */
    private void abandonAfter(Connection c) throws SQLException {
        session(c)
                .query(
                        "transaction_abandon_after",
                        Params.of("timeout_ms", Long.toString(ABANDONED_TRANSACTION.toMillis())));
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; Hikari evicts it
        }
    }

    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // a broken connection: the original error is what matters
        }
    }

    @Override
    protected Object arrayParameter(Connection connection, SqlArray array) throws SQLException {
        return connection.createArrayOf(array.pgType(), array.values().toArray());
    }

    @Override
    protected int nullType() {
        return Types.OTHER;
    }

    @Override
    protected Transience classify(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException) {
                // The pool already waited its whole connection timeout: retrying would only
                // multiply the wait. The caller's loop decides when to try again.
                return Transience.PERMANENT;
            }
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if (state != null) {
                    if (state.equals("40001") || state.equals("40P01") || state.equals("55P03")) {
                        return Transience.ROLLED_BACK;
                    }
                    if (state.startsWith("08")
                            || state.equals("57P01")
                            || state.equals("57P02")
                            || state.equals("57P03")
                            || state.equals("53300")) {
                        return Transience.CONNECTION;
                    }
                }
                if (s instanceof SQLTransientException) {
                    return Transience.CONNECTION;
                }
            }
            if (t instanceof java.io.IOException) {
                return Transience.CONNECTION;
            }
        }
        return Transience.PERMANENT;
    }

    /**
     * Closes both pools, waiting at most {@link #CLOSE_WAIT}. HikariCP's close waits for its
     * connection makers, which back off for seconds between tries while the database is
     * unreachable; a worker told to stop must not wait for that, so past the bound the pools finish
     * closing on a daemon thread.
     */
    @Override
    public void close() {
        if (watchdog != null) {
            watchdog.close();
        }
        Thread closer = Thread.ofPlatform().daemon().name("nebula-pool-close").start(() -> {
            heartbeatPool.close();
            pool.close();
        });
        try {
            closer.join(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final Duration CLOSE_WAIT = Duration.ofMillis(500);
}
