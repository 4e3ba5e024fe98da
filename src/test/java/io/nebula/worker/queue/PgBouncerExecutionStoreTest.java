package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.postgres.PostgresExecutionStore;
import io.nebula.worker.testing.PgBouncer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole store contract through PgBouncer in transaction pooling, as a worker runs behind it:
 * {@code queue.listen = false}, each transaction possibly on another server connection. PgBouncer
 * keeps ten server connections for twenty-connection stores, so consecutive statements of one
 * store do land on different server connections.
 */
class PgBouncerExecutionStoreTest extends ExecutionStoreContract {
    private static PgBouncer bouncer;
    private String schema;

    @BeforeAll
    static void startPgBouncer() {
        PostgresTestDatabase.require();
        bouncer = PgBouncer.inFrontOfTestDatabase(Map.of());
    }

    @AfterAll
    static void stopPgBouncer() {
        if (bouncer != null) {
            bouncer.close();
        }
    }

    private static ExecutionStore open(String schema, String client) {
        return PostgresExecutionStore.open(
                bouncer.jdbcUrl("test"),
                PostgresTestDatabase.properties(),
                StoreOptions.defaults(client).withSchema(schema).withListen(false));
    }

    @Override
    protected ExecutionStore newStore() {
        schema = PostgresTestDatabase.newSchema();
        ExecutionStore s = open(schema, "test");
        try {
            s.probe();
            s.migrate();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    @Override
    protected ExecutionStore sameDatabase() {
        return open(schema, "test-other");
    }

    @Override
    protected Connection rawConnection() throws Exception {
        Connection c = PostgresTestDatabase.connect();
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path TO " + schema);
        }
        return c;
    }

    @Override
    protected void dropDatabase() {
        PostgresTestDatabase.dropSchema(schema);
    }

    /** Poll-only: a subscription is a no-op that never wakes, and polling finds the submit. */
    @Override
    @Test
    void aSubmitWakesSubscribedClaimers() throws Exception {
        AtomicInteger wakes = new AtomicInteger();
        try (AutoCloseable sub = store.wakeupSubscribe(List.of("default"), wakes::incrementAndGet)) {
            long id = submit(request());
            assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(id);
            assertThat(wakes).hasValue(0);
        }
    }
}
