package io.nebula.worker.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
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
                .hasMessageContaining("I/O error");

        int next = db.run("backend", Mode.SINGLE, false, s -> backend(s.connection()));
        assertThat(next).as("the pool serves the next call").isPositive();
        assertThat(socketTimeout(db))
                .as("the pool's reads have no timer of their own")
                .isZero();
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
