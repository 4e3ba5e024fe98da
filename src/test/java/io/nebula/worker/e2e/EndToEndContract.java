package io.nebula.worker.e2e;

import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every end-to-end contract stands on: a temporary folder and a database of the test's own
 * ({@link #newDatabase}), opened before each test and removed after it (after the contract's own
 * {@code @AfterEach} has stopped its workers). One subclass per dialect says which database.
 */
abstract class EndToEndContract {
    @TempDir
    Path tmp;

    /** The test's database; set before each test. */
    TestDatabase db;

    /** A fresh database for one test ({@link TestDatabase#postgres()} or a file under {@code dir}). */
    protected abstract TestDatabase newDatabase(Path dir);

    @BeforeEach
    final void openDatabase() {
        db = newDatabase(tmp);
    }

    @AfterEach
    final void closeDatabase() {
        if (db != null) {
            db.close();
        }
    }

    /** In-process worker configuration on the test's database. */
    protected WorkerConfig config() {
        return db.config();
    }
}
