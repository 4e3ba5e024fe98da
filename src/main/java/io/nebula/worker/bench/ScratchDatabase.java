package io.nebula.worker.bench;

import io.nebula.worker.app.StoreFactory;
import io.nebula.worker.config.DatabaseUrl;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A fresh, empty database for one scenario run: a new schema {@code bench_<random>} in the
 * PostgreSQL database, or a new file in the SQLite folder. The worker's migrations create the
 * tables; {@link #close()} drops the schema or deletes the file (with its WAL), so runs never see
 * each other's rows or bloat.
 */
final class ScratchDatabase implements AutoCloseable {
    private final BenchTarget target;
    private final DatabaseUrl url;
    private final String schema;

    private ScratchDatabase(BenchTarget target, DatabaseUrl url, String schema) {
        this.target = target;
        this.url = url;
        this.schema = schema;
    }

    /** Names a fresh schema or file; nothing exists until a store migrates it. */
    static ScratchDatabase create(BenchTarget target) {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return switch (target.url()) {
            case DatabaseUrl.Postgres pg -> new ScratchDatabase(target, pg, "bench_" + id);
            case DatabaseUrl.Sqlite s -> {
                try {
                    Files.createDirectories(s.file());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create SQLite folder " + s.file(), e);
                }
                yield new ScratchDatabase(
                        target, new DatabaseUrl.Sqlite(s.file().resolve("bench-" + id + ".db")), "nebula");
            }
        };
    }

    String store() {
        return target.store();
    }

    BenchTarget target() {
        return target;
    }

    DatabaseUrl url() {
        return url;
    }

    String schema() {
        return schema;
    }

    /** The {@code DATABASE_URL} a worker process for this database gets. */
    String urlText() {
        return url instanceof DatabaseUrl.Sqlite s ? "sqlite:" + s.file() : target.text();
    }

    /** Opens a store of its own (own connections, own wake-up listener) on this database. */
    ExecutionStore openStore(String clientName, boolean listen) {
        StoreOptions options =
                StoreOptions.defaults(clientName).withSchema(schema).withListen(listen);
        return StoreFactory.open(url, options);
    }

    /**
     * The drain window by the database clock of the executions whose id is above {@code afterId}
     * (those queued later): rows finished and seconds from first claim to last end.
     */
    DrainWindow drainWindowAfter(long afterId) {
        Map<String, Object> row = query("drain_window", afterId).get(0);
        return new DrainWindow(((Number) row.get("finished")).longValue(), ((Number) row.get("seconds")).doubleValue());
    }

    /**
     * Vacuums the executions table on PostgreSQL (a no-op on SQLite), so a timed drain that follows
     * a warm-up does not pay for the warm-up's dead rows and index entries, however many processes
     * made them: the database may run with autovacuum off.
     */
    void vacuum() {
        if (!target.postgres()) {
            return;
        }
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute(BenchSql.text("postgres", "vacuum_executions"));
        } catch (SQLException e) {
            throw new IllegalStateException("bench vacuum failed: " + e.getMessage(), e);
        }
    }

    /** Whether executions are still available or running. */
    boolean backlogOpen() {
        Object open = query("backlog").get(0).get("open");
        return open instanceof Boolean b ? b : ((Number) open).intValue() != 0;
    }

    /** Rows written per table since the schema was created (PostgreSQL only; empty for SQLite). */
    List<Map<String, Object>> tableWrites() {
        return target.postgres() ? query("table_writes") : List.of();
    }

    /** The highest execution id queued so far, 0 when none. */
    long lastExecutionId() {
        return ((Number) query("last_execution_id").get(0).get("last_id")).longValue();
    }

    private List<Map<String, Object>> query(String name, long... params) {
        try (Connection c = connect()) {
            return BenchSql.query(c, store(), name, params);
        } catch (SQLException e) {
            throw new IllegalStateException("bench query " + name + " failed: " + e.getMessage(), e);
        }
    }

    /** A plain JDBC connection to this database, its search path set to the run's schema. */
    Connection connection() throws SQLException {
        return connect();
    }

    /**
     * A plain JDBC connection named {@code applicationName} (PostgreSQL), its search path set to
     * the run's schema.
     */
    Connection connection(String applicationName) throws SQLException {
        if (url instanceof DatabaseUrl.Postgres pg) {
            java.util.Properties p = new java.util.Properties();
            p.putAll(pg.properties());
            p.setProperty("ApplicationName", applicationName);
            Connection c = DriverManager.getConnection(pg.jdbcUrl(), p);
            try (Statement st = c.createStatement()) {
                st.execute("SET search_path = \"" + schema + "\"");
            }
            return c;
        }
        return connect();
    }

    /** Creates the run's schema (PostgreSQL), for a run whose tables no migration creates. */
    void createSchema(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA \"" + schema + "\"");
        }
    }

    private Connection connect() throws SQLException {
        return switch (url) {
            case DatabaseUrl.Postgres pg -> {
                Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.properties());
                try (Statement st = c.createStatement()) {
                    st.execute("SET search_path = \"" + schema + "\"");
                }
                yield c;
            }
            case DatabaseUrl.Sqlite s -> DriverManager.getConnection("jdbc:sqlite:" + s.file());
        };
    }

    /** Drops the schema or deletes the file; never throws. */
    @Override
    public void close() {
        switch (url) {
            case DatabaseUrl.Postgres pg -> {
                try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.properties());
                        Statement st = c.createStatement()) {
                    st.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
                } catch (SQLException e) {
                    System.err.println("nebula-worker bench: could not drop schema " + schema + ": " + e.getMessage());
                }
            }
            case DatabaseUrl.Sqlite s -> {
                for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
                    try {
                        Files.deleteIfExists(Path.of(s.file() + suffix));
                    } catch (IOException e) {
                        System.err.println("nebula-worker bench: could not delete " + s.file() + suffix);
                    }
                }
            }
        }
    }

    /** Finished executions and the seconds from the first claim to the last completion. */
    record DrainWindow(long finished, double seconds) {
        double perSecond() {
            return seconds <= 0 ? Double.NaN : finished / seconds;
        }
    }
}
