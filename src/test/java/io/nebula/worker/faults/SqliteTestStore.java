package io.nebula.worker.faults;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;

/**
 * A fresh SQLite file ({@link TestDatabase#sqlite(Path)}) shared by the worker processes of one test, with a {@code faults} table
 * next to the queue. Side effects go to a plain file ({@code effects.log}), one line per run, so
 * the recording action never competes with the queue for the write lock.
 */
public final class SqliteTestStore implements TestStore {
    private final Path dir;
    private final TestDatabase db;

    public SqliteTestStore(Path dir) {
        this.dir = dir;
        this.db = TestDatabase.sqlite(dir.resolve("queue.db"));
        db.store(); // migrates the queue before the test's own table joins it
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS faults (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                    + " at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)),"
                    + " kind TEXT NOT NULL, target TEXT, detail TEXT)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare " + db.databaseUrl(), e);
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
                db.databaseUrl(),
                RecordEffectAction.FILE_ENV,
                effectsFile().toString());
    }

    @Override
    public Map<String, Object> workerSettings() {
        return Map.of();
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
        db.close();
    }
}
