package io.nebula.worker.pool;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The worker pool on an embedded SQLite file. */
class SqliteWorkerTest extends WorkerContract {
    private Path dir;

    @Override
    protected ExecutionStore openStore() {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("nebula-worker-test");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return SqliteExecutionStore.open(dir.resolve("q.db"), StoreOptions.defaults("test"));
    }

    @Override
    protected void recordFutureMigration(int version) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("q.db"));
                java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO schema_migrations (version, name) VALUES (" + version + ", 'future')");
        }
    }

    @Override
    protected void dropStore() {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
