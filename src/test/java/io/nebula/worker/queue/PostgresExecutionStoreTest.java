package io.nebula.worker.queue;

import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;

/** The store contract against the local PostgreSQL, each test in a fresh schema. */
class PostgresExecutionStoreTest extends ExecutionStoreContract {
    private String schema;

    @BeforeAll
    static void requirePostgres() {
        PostgresTestDatabase.require();
    }

    @Override
    protected ExecutionStore newStore() {
        schema = PostgresTestDatabase.newSchema();
        ExecutionStore s = PostgresTestDatabase.open(schema, StoreOptions.defaults("test"));
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
        return PostgresTestDatabase.open(schema, StoreOptions.defaults("test-other"));
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
}
