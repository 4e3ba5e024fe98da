package io.nebula.worker.schedule;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreOptions;
import org.junit.jupiter.api.BeforeAll;

/** The scheduler on PostgreSQL, each test in a fresh schema. */
class PostgresSchedulerTest extends SchedulerContract {
    private final String schema = PostgresTestDatabase.newSchema();

    @BeforeAll
    static void requirePostgres() {
        PostgresTestDatabase.require();
    }

    @Override
    protected ExecutionStore newStore() {
        ExecutionStore s = PostgresTestDatabase.open(schema, StoreOptions.defaults("test"));
        s.migrate();
        return s;
    }

    @Override
    protected ExecutionStore sameDatabase() {
        return PostgresTestDatabase.open(schema, StoreOptions.defaults("test-other"));
    }

    @Override
    protected void dropDatabase() {
        PostgresTestDatabase.dropSchema(schema);
    }
}
