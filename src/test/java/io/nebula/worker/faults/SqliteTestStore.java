package io.nebula.worker.faults;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * A fresh SQLite file shared by the worker processes of one test, with a {@code faults} table
 * next to the queue. Side effects go to a plain file ({@code effects.log}), one line per run, so
 * the recording action never competes with the queue for the write lock.
 */
public final class SqliteTestStore implements TestStore {
    private final Path dir;
    private final Path file;
    private final ExecutionStore store;

    public SqliteTestStore(Path dir) {
        this.dir = dir;
        this.file = dir.resolve("queue.db").toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store = SqliteExecutionStore.open(file, StoreOptions.defaults("nebula-test"));
        store.migrate();
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS faults (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                    + " at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)),"
                    + " kind TEXT NOT NULL, target TEXT, detail TEXT)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare " + file, e);
        }
    }

    public Path effectsFile() {
        return dir.resolve("effects.log").toAbsolutePath();
    }

    @Override
    public String dialect() {
        return "sqlite";
    }

    @Override
    public Map<String, String> workerEnv() {
        return Map.of(
                "DATABASE_URL",
                "sqlite:" + file,
                RecordEffectAction.FILE_ENV,
                effectsFile().toString());
    }

    @Override
    public Map<String, Object> workerSettings() {
        return Map.of();
    }

    @Override
    public ExecutionStore store() {
        return store;
    }

    @Override
    public Connection connect() throws SQLException {
        SQLiteConfig c = new SQLiteConfig();
        c.setBusyTimeout(15_000);
        return DriverManager.getConnection("jdbc:sqlite:" + file, c.toProperties());
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
                return Instant.ofEpochMilli(rs.getLong(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record fault " + kind, e);
        }
    }

    @Override
    public Instant databaseNow() {
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER)")) {
            rs.next();
            return Instant.ofEpochMilli(rs.getLong(1));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
