package io.nebula.worker.faults;

import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.Workflows;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The database a process test runs against, from the test's side: what worker processes are told
 * (their environment), a store and client in the test JVM for submitting and inspecting, a raw JDBC
 * connection for the checker, and the {@code faults} log stamped with the database clock. One
 * implementation per dialect; each gives every test a database of its own and removes it after.
 */
public interface TestStore extends AutoCloseable {
    /** "postgres" or "sqlite". */
    String dialect();

    /** Environment for worker processes: {@code DATABASE_URL} and the side-effect sink. */
    Map<String, String> workerEnv();

    /** TOML settings every worker of this store needs (PostgreSQL: the schema). */
    Map<String, Object> workerSettings();

    /** The store, opened in the test JVM (migrated). */
    ExecutionStore store();

    /** A new JDBC connection to the same database (the caller closes it). */
    Connection connect() throws SQLException;

    /** Writes one fault to the {@code faults} table; returns its database-clock time. */
    Instant recordFault(String kind, String target, String detail);

    /** The database clock now. */
    Instant databaseNow();

    /** A submit client that knows the built-in and test-only actions. */
    default WorkflowClient client(int defaultMaxRetries) {
        ActionRegistry actions = ActionRegistry.builder()
                .registerAll(BuiltinActions.create(HttpActionOptions.defaults(), Duration.ofSeconds(5)))
                .loadServices(TestStore.class.getClassLoader())
                .build();
        return new WorkflowClient(store(), new Workflows(actions, Limits.defaults()), defaultMaxRetries);
    }

    @Override
    void close();
}
