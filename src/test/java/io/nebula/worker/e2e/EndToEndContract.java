package io.nebula.worker.e2e;

import static org.awaitility.Awaitility.await;

import io.nebula.worker.action.Action;
import io.nebula.worker.app.NebulaWorker;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.pool.PoolOptions;
import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every end-to-end contract stands on: a temporary folder, a database of the test's own
 * ({@link #newDatabase}), opened before each test and removed after it, and in-process workers on
 * it ({@link #started}), stopped with no grace after the test (running nodes are interrupted,
 * executions released) before the database goes. One subclass per dialect says which database.
 */
abstract class EndToEndContract {
    @TempDir
    Path tmp;

    /** The test's database; set before each test. */
    TestDatabase db;

    private final List<NebulaWorker> workers = new ArrayList<>();

    /** A fresh database for one test ({@link TestDatabase#postgres()} or a file under {@code dir}). */
    protected abstract TestDatabase newDatabase(Path dir);

    @BeforeEach
    final void openDatabase() {
        db = newDatabase(tmp);
    }

    @AfterEach
    final void stopWorkersAndCloseDatabase() {
        try {
            workers.forEach(w -> w.worker().stop(Duration.ZERO));
        } finally {
            if (db != null) {
                db.close();
            }
        }
    }

    /** In-process worker configuration on the test's database. */
    protected WorkerConfig config() {
        return db.config();
    }

    /**
     * A worker {@code id} on the test's database with {@code concurrency} slots and {@code
     * actions} besides the built-in ones; not started.
     */
    NebulaWorker built(String id, int concurrency, Action... actions) {
        return built(config(), id, o -> o.withConcurrency(concurrency), actions);
    }

    /**
     * A worker {@code id} on configuration {@code c} (the test's database with other settings),
     * its pool options as {@code options} makes them from {@code c}; not started.
     */
    NebulaWorker built(WorkerConfig c, String id, UnaryOperator<PoolOptions> options, Action... actions) {
        NebulaWorker.Builder b =
                NebulaWorker.builder().config(c).workerId(id).options(options.apply(PoolOptions.from(c, id)));
        for (Action a : actions) {
            b.action(a);
        }
        NebulaWorker w = b.build();
        workers.add(w);
        return w;
    }

    /** As {@link #built}, started and ready. */
    NebulaWorker started(String id, int concurrency, Action... actions) {
        return start(built(id, concurrency, actions));
    }

    /** Starts {@code w}, to be stopped after the test, and waits until it is ready. */
    NebulaWorker start(NebulaWorker w) {
        if (!workers.contains(w)) {
            workers.add(w);
        }
        w.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> w.worker().readiness().snapshot().ready());
        return w;
    }
}
