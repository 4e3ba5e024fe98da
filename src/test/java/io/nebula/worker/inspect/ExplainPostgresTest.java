package io.nebula.worker.inspect;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreOptions;
import org.junit.jupiter.api.BeforeAll;

/** Every explain reason against the local PostgreSQL, each test in a fresh schema. */
class ExplainPostgresTest extends ExplainContract {
    private String schema;

    @BeforeAll
    static void requirePostgres() {
        PostgresTestDatabase.require();
    }

    @Override
    protected ExecutionStore newStore() {
        schema = PostgresTestDatabase.newSchema();
        ExecutionStore s = PostgresTestDatabase.open(schema, StoreOptions.defaults("explain-test"));
        s.migrate();
        return s;
    }

    @Override
    protected void dropDatabase() {
        PostgresTestDatabase.dropSchema(schema);
    }
}
