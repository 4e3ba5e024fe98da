package io.nebula.worker.queue;

import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Comparator;
import java.util.stream.Stream;

/** The store contract against a real SQLite file in a temporary folder. */
class SqliteExecutionStoreTest extends ExecutionStoreContract {
    private Path dir;
    private Path file;

    @Override
    protected ExecutionStore newStore() {
        try {
            dir = Files.createTempDirectory("nebula-sqlite-test");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        file = dir.resolve("nebula.db");
        ExecutionStore s = SqliteExecutionStore.open(file, StoreOptions.defaults("test"));
        try {
            s.migrate();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    @Override
    protected ExecutionStore sameDatabase() {
        return SqliteExecutionStore.open(file, StoreOptions.defaults("test-other"));
    }

    @Override
    protected Connection rawConnection() throws Exception {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (var st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 10000");
        }
        return c;
    }

    @Override
    protected void dropDatabase() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @org.junit.jupiter.api.Test
    void aNewDatabaseFileAndItsFolderAreReadableByTheirOwnerOnly() throws Exception {
        Path fresh =
                Files.createTempDirectory("nebula-sqlite-perms").resolve("data").resolve("private.db");
        try (ExecutionStore s = SqliteExecutionStore.open(fresh, StoreOptions.defaults("perms"))) {
            s.migrate();
            s.workflowPut(new io.nebula.worker.queue.WorkflowDocument("h", "w", "{}"));

            var owner = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
            org.assertj.core.api.Assertions.assertThat(Files.getPosixFilePermissions(fresh))
                    .isEqualTo(owner);
            org.assertj.core.api.Assertions.assertThat(
                            Files.getPosixFilePermissions(fresh.resolveSibling("private.db-wal")))
                    .isEqualTo(owner);
            org.assertj.core.api.Assertions.assertThat(Files.getPosixFilePermissions(fresh.getParent()))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } finally {
            try (Stream<Path> files = Files.walk(fresh.getParent().getParent())) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
