package io.nebula.worker.queue;

import io.nebula.worker.queue.postgres.PostgresExecutionStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The local PostgreSQL used by tests. Each caller gets its own schema, dropped afterwards, so test
 * classes never see each other's rows. With {@code CI=true} a missing database fails the test
 * instead of skipping it.
 */
public final class PostgresTestDatabase {
    public static final String URL =
            System.getenv().getOrDefault("NEBULA_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = System.getenv().getOrDefault("NEBULA_TEST_PG_USER", "postgres");

    private PostgresTestDatabase() {}

    /** Skips (or, in CI, fails) when PostgreSQL is unreachable. */
    public static void require() {
        try (Connection c = connect()) {
            c.isValid(2);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(
                        "PostgreSQL is required in CI but unreachable at " + URL + ": " + e.getMessage(), e);
            }
            Assumptions.abort("PostgreSQL unreachable at " + URL + ": " + e.getMessage());
        }
    }

    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(URL, properties());
    }

    public static Properties properties() {
        Properties p = new Properties();
        p.setProperty("user", USER);
        return p;
    }

    /** A fresh, unused schema name. */
    public static String newSchema() {
        return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    public static PostgresExecutionStore open(String schema, StoreOptions options) {
        require();
        return PostgresExecutionStore.open(URL, properties(), options.withSchema(schema));
    }

    public static void dropSchema(String schema) {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema, e);
        }
    }
}
