package io.nebula.worker.cli;

import static org.awaitility.Awaitility.await;

import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.testing.TestConfigs;
import io.nebula.worker.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A SQLite file ({@link TestDatabase#sqlite(Path)}) in a temporary folder that operator commands are pointed at through {@code
 * DATABASE_URL}, with optional in-process workers on the same file and a store handle for checking
 * what the commands did.
 */
final class CliFixture implements AutoCloseable {
    static final Path EXAMPLES = Path.of(System.getProperty("nebula.project.dir", "."), "examples");

    final Path dir;
    final Path db;
    final Map<String, String> env;
    private final TestDatabase database;
    private final List<WorkerApp.Running> workers = new ArrayList<>();
    private ExecutionStore store;

    CliFixture(Path dir) {
        this(dir, Map.of());
    }

    CliFixture(Path dir, Map<String, String> extraEnv) {
        this.dir = dir;
        this.db = dir.resolve("cli.db");
        this.database = TestDatabase.sqlite(db);
        Map<String, String> e = new HashMap<>();
        e.put("DATABASE_URL", database.databaseUrl());
        e.put("NEBULA_LOG", "nebula_worker=warn");
        e.putAll(extraEnv);
        this.env = Map.copyOf(e);
    }

    static Path example(String name) {
        return EXAMPLES.resolve(name);
    }

    CliRun run(String... args) {
        return CliRun.of(env, args);
    }

    /** Applies the schema, as an operator would before anything else. */
    CliFixture migrated() {
        CliRun r = run("migrate");
        if (r.exitCode() != 0) {
            throw new AssertionError("migrate failed: " + r.err());
        }
        return this;
    }

    /** Starts a worker on the fixture's file and waits until it is ready. */
    WorkerApp.Running startWorker() throws Exception {
        return startWorker(List.of("default"));
    }

    /** Starts a worker serving {@code queues} on the fixture's file and waits until it is ready. */
    WorkerApp.Running startWorker(List<String> queues) throws Exception {
        WorkerConfig config = TestConfigs.withQueues(database.config(), queues);
        WorkerApp.Running w = WorkerApp.start(config, List.of());
        workers.add(w);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> w.worker().worker().readiness().snapshot().ready());
        return w;
    }

    ExecutionStore store() {
        if (store == null) {
            store = database.open(StoreOptions.defaults("cli-test"));
        }
        return store;
    }

    @Override
    public void close() {
        workers.forEach(w -> w.worker().worker().stop(Duration.ZERO));
        if (store != null) {
            store.close();
        }
        database.close();
    }
}
