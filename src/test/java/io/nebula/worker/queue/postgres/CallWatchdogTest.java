package io.nebula.worker.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.jdbc.Database.Mode;
import io.nebula.worker.queue.jdbc.SqlScript;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pooled connections wait for the server without a socket timeout; the call watchdog gives up
 * a statement that waits longer than the statement timeout by closing its connection, and each new
 * statement of a call starts a wait of its own.
 */
class CallWatchdogTest {
    private PostgresDatabase db;

    @BeforeEach
    void open() {
        PostgresTestDatabase.require();
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    private PostgresDatabase database(Properties properties) {
        db = new PostgresDatabase(
                PostgresTestDatabase.URL,
                properties,
                StoreOptions.defaults("nebula-test-watchdog").withStatementTimeout(Duration.ofSeconds(2)));
        return db;
    }

    private static int socketTimeout(PostgresDatabase db) {
        return db.run("socket_timeout", Mode.SINGLE, false, s -> s.connection().getNetworkTimeout());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aStatementThatWaitsPastTheTimeoutLosesItsConnectionAndTheNextCallRuns() {
        PostgresDatabase db = database(PostgresTestDatabase.properties());

        // Without the watchdog the call would return after its 30 s.
        assertThatThrownBy(() -> db.run("sleep", Mode.SINGLE, false, s -> {
                    try (Statement st = s.connection().createStatement()) {
                        st.execute("SELECT pg_sleep(30)");
                    }
                    return null;
                }))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("no answer from")
                .hasMessageContaining("no answer within 2 s; the connection was closed");

        int next = db.run("backend", Mode.SINGLE, false, s -> backend(s.connection()));
        assertThat(next).as("the pool serves the next call").isPositive();
        assertThat(socketTimeout(db))
                .as("the pool's reads have no timer of their own")
                .isZero();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aCallWhoseWorkWrapsTheAbortedReadStillSaysTheServerDidNotAnswer() {
        PostgresDatabase db = database(PostgresTestDatabase.properties());

        assertThatThrownBy(() -> db.run("sleep", Mode.SINGLE, false, s -> {
                    try (Statement st = s.connection().createStatement()) {
                        st.execute("SELECT pg_sleep(30)");
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException("the work's own wrapping", e);
                    }
                    return null;
                }))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("no answer within 2 s; the connection was closed");
        int next = db.run("backend", Mode.SINGLE, false, s -> backend(s.connection()));
        assertThat(next).as("the pool serves the next call").isPositive();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyStatementOfACallWaitsOnItsOwnSoACallMayLastLongerThanTheTimeout() {
        PostgresDatabase db = database(PostgresTestDatabase.properties());

        int slept = db.run("sleeps", Mode.TRANSACTION, false, s -> {
            int n = 0;
            for (int i = 0; i < 4; i++) {
                // Each statement goes through the database's prepare, as every statement of the store does.
                try (PreparedStatement ps = db.prepare(s.connection(), "SELECT pg_sleep(0.8)")) {
                    ps.execute();
                    n++;
                }
            }
            return n;
        });

        assertThat(slept).isEqualTo(4);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyStatementOfAMigrationScriptWaitsOnItsOwn() {
        PostgresDatabase db = database(PostgresTestDatabase.properties());
        SqlScript script = SqlScript.parse(
                "slow_migration", "SELECT pg_sleep(0.8);\nSELECT pg_sleep(0.8);\nSELECT pg_sleep(0.8);\n", Map.of());

        int done = db.run("migrate", Mode.TRANSACTION, false, s -> {
            s.execute(script);
            return 1;
        });

        assertThat(done).isEqualTo(1);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anAbortTheWatchdogDecidedNeverLandsAfterTheCallEnded() throws Exception {
        try (Connection real = PostgresTestDatabase.connect();
                CallWatchdog watchdog = new CallWatchdog(Duration.ofMillis(200), "test-watchdog")) {
            CountDownLatch aborting = new CountDownLatch(1);
            CountDownLatch proceed = new CountDownLatch(1);
            // The watchdog's thread is held in the middle of its abort (inside unwrap) until released.
            Connection heldInUnwrap = (Connection) Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {Connection.class}, (proxy, m, args) -> {
                        if (m.getName().equals("unwrap")) {
                            aborting.countDown();
                            proceed.await();
                        }
                        try {
                            return m.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            CallWatchdog.Call call = watchdog.begin(heldInUnwrap);
            assertThat(aborting.await(5, TimeUnit.SECONDS)).isTrue();

            // The call ends while the abort is under way: its end waits for the abort, or returns.
            AtomicBoolean aborted = new AtomicBoolean();
            AtomicBoolean closedWhenEnded = new AtomicBoolean();
            Thread ending = Thread.ofPlatform().start(() -> {
                aborted.set(watchdog.end(call));
                try {
                    closedWhenEnded.set(real.isClosed());
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            ending.getState() == Thread.State.BLOCKED || ending.getState() == Thread.State.TERMINATED);
            proceed.countDown();
            ending.join();

            // Either the abort happened before the call ended (and the call says so), or never.
            assertThat(aborted.get()).isEqualTo(closedWhenEnded.get());
            if (!aborted.get()) {
                try (Statement st = real.createStatement()) {
                    st.execute("SELECT 1");
                }
                assertThat(real.isClosed()).isFalse();
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aServerThatAcceptsButNeverAnswersLeavesNoConnectionAttemptBehind() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            Properties p = PostgresTestDatabase.properties();
            p.setProperty("sslmode", "disable");
            PostgresDatabase hung = new PostgresDatabase(
                    "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/test",
                    p,
                    StoreOptions.defaults("nebula-test-silent")
                            .withStatementTimeout(Duration.ofSeconds(2))
                            .withConnectTimeout(Duration.ofSeconds(1)));
            try {
                assertThatThrownBy(() -> hung.run("x", Mode.SINGLE, false, s -> 1))
                        .isInstanceOf(StoreException.class);
            } finally {
                hung.close();
            }
            // pgjdbc makes each attempt on a thread of its own, which the pool gives up waiting for;
            // the socket timeout bounds its handshake reads, so it ends too.
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Thread.getAllStackTraces().keySet().stream()
                            .noneMatch(t -> t.getName().equals("PostgreSQL JDBC driver connection thread")
                                    && Arrays.stream(t.getStackTrace())
                                            .anyMatch(f -> f.getMethodName().equals("doAuthentication")
                                                    || f.getMethodName().equals("enableSSL"))));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aSocketTimeoutTheConfigurationSetsIsKeptAndNoWatchdogRuns() {
        Properties p = PostgresTestDatabase.properties();
        p.setProperty("socketTimeout", "7");
        PostgresDatabase db = database(p);

        assertThat(socketTimeout(db)).isEqualTo(7_000);
        assertThat(db.watched()).isFalse();
    }

    private static int backend(java.sql.Connection c) throws java.sql.SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
