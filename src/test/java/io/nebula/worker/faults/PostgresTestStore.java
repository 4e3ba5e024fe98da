package io.nebula.worker.faults;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;

/**
 * A fresh PostgreSQL schema on the local server ({@link TestDatabase#postgres()}), with the queue
 * migrated and two tables the tests own: {@code side_effects} (written by {@link RecordEffectAction}) and {@code faults} (the
 * nemesis's log). The schema is dropped on {@link #close()}.
 */
public final class PostgresTestStore implements TestStore {
    private final TestDatabase db = TestDatabase.postgres();
    private final String schema = db.schema();
    private final String workerUrl;
    private final String effectsUrl;

    public PostgresTestStore() {
        this(workerUrl(), PostgresTestDatabase.URL);
    }

    /** The JDBC URL worker processes use (credentials as parameters; the test server trusts). */
    public static String workerUrl() {
        return withParams(PostgresTestDatabase.URL, "user=" + PostgresTestDatabase.USER);
    }

    /**
     * A store whose worker processes reach the database at {@code workerJdbcUrl} (through PgBouncer,
     * or from another network namespace; credentials as parameters) and write their side effects
     * directly to {@code effectsJdbcUrl} (no parameters), while the test itself connects directly.
     */
    public PostgresTestStore(String workerJdbcUrl, String effectsJdbcUrl) {
        this.workerUrl = workerJdbcUrl;
        this.effectsUrl = effectsJdbcUrl;
        db.store(); // creates the schema and migrates it
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE side_effects (seq bigserial PRIMARY KEY, token text NOT NULL UNIQUE,"
                    + " idempotency_key text NOT NULL, execution_id bigint NOT NULL, node_id text NOT NULL,"
                    + " attempt integer NOT NULL, node_try integer NOT NULL, pid bigint NOT NULL,"
                    + " at timestamptz NOT NULL DEFAULT clock_timestamp())");
            st.execute("CREATE TABLE faults (seq bigserial PRIMARY KEY,"
                    + " at timestamptz NOT NULL DEFAULT clock_timestamp(), kind text NOT NULL, target text,"
                    + " detail text)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare schema " + schema, e);
        }
    }

    public String schema() {
        return schema;
    }

    @Override
    public String dialect() {
        return "postgres";
    }

    static String withParams(String url, String params) {
        return url + (url.contains("?") ? "&" : "?") + params;
    }

    @Override
    public Map<String, String> workerEnv() {
        return Map.of(
                "DATABASE_URL",
                workerUrl,
                RecordEffectAction.JDBC_ENV,
                withParams(
                        effectsUrl,
                        "user=" + PostgresTestDatabase.USER + "&currentSchema=" + schema
                                + "&ApplicationName=nebula-test-effects&connectTimeout=5&socketTimeout=10"));
    }

    @Override
    public Map<String, Object> workerSettings() {
        return Map.of("database.schema", schema);
    }

    @Override
    public ExecutionStore store() {
        return db.store();
    }

    @Override
    public Connection connect() throws SQLException {
        return db.connect();
    }

    @Override
    public Instant recordFault(String kind, String target, String detail) {
        try (Connection c = connect();
                PreparedStatement ps =
                        c.prepareStatement("INSERT INTO faults (kind, target, detail) VALUES (?, ?, ?) RETURNING at")) {
            ps.setString(1, kind);
            ps.setString(2, target);
            ps.setString(3, detail);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1).toInstant();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record fault " + kind, e);
        }
    }

    @Override
    public Instant databaseNow() {
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        db.close();
    }
}
