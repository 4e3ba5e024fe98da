package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An installation made by the first release upgrades by migration: its executions and workers
 * keep working, and the queues they used become known queues.
 */
class MigrationUpgradeTest {
    @TempDir
    Path tmp;

    private static String resource(String path) throws Exception {
        try (InputStream in = MigrationUpgradeTest.class.getResourceAsStream("/io/nebula/worker/queue/" + path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aVersionOneSqliteFileUpgradesAndItsQueuesBecomeKnown() throws Exception {
        Path file = tmp.resolve("old.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement st = c.createStatement()) {
            st.executeUpdate(resource("sqlite/migrations/V001__init.sql"));
            st.executeUpdate(resource("sqlite/migration_prepare.sql"));
            st.executeUpdate("INSERT INTO schema_migrations (version, name) VALUES (1, 'init')");
            st.executeUpdate("INSERT INTO workflows (hash, name, definition) VALUES ('h', 'wf', '{}')");
            st.executeUpdate("INSERT INTO executions (queue, workflow_hash, workflow_name, input, state, run_at,"
                    + " max_attempts, created_at) VALUES ('mail', 'h', 'wf', '{}', 'available', 0, 1, 0)");
            st.executeUpdate("INSERT INTO node_results (execution_id, node_id, status, attempt, lease_epoch)"
                    + " VALUES (1, 'a', 'succeeded', 1, 1)");
            st.executeUpdate("INSERT INTO workers (worker_id, pool_id, host, pid, concurrency, queues, version,"
                    + " started_at, last_seen_at) VALUES ('w', 'p', 'h', 1, 4, 'default,reports', '0.1.0', 0, 0)");
            st.executeUpdate("INSERT INTO queues (name, paused, updated_at) VALUES ('default', 1, 0)");
        }

        try (ExecutionStore store = SqliteExecutionStore.open(file, StoreOptions.defaults("upgrade"))) {
            assertThat(store.schemaStatus().upToDate()).isFalse();
            store.migrate();

            assertThat(store.schemaStatus().upToDate()).isTrue();
            assertThat(store.queueList())
                    .containsExactly(
                            new KnownQueue("default", true),
                            new KnownQueue("mail", false),
                            new KnownQueue("reports", false));
            assertThat(store.nodeResultList(1))
                    .singleElement()
                    .satisfies(n -> assertThat(n.tries()).isEmpty());
            assertKeysOfOldExecutionsAreKeptAndNewOnesScoped(store, 1);
        }
    }

    /**
     * Creates {@code schema} as the first migration left it, and returns a connection whose search
     * path is that schema, for rows of that time.
     */
    private static Connection versionOnePostgresSchema(String schema) throws Exception {
        Connection c = PostgresTestDatabase.connect();
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
            st.execute("SET search_path = " + schema);
            st.execute(resource("postgres/migrations/V001__init.sql").replace("${schema}", schema));
            st.execute(resource("postgres/migration_prepare.sql").replace("${schema}", schema));
            st.execute("INSERT INTO schema_migrations (version, name) VALUES (1, 'init')");
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    @Test
    void aVersionOnePostgresSchemaUpgradesAndItsQueuesBecomeKnown() throws Exception {
        PostgresTestDatabase.require();
        String schema = PostgresTestDatabase.newSchema();
        try (Connection c = versionOnePostgresSchema(schema);
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO workflows (hash, name, definition) VALUES ('h', 'wf', '{}')");
            st.execute("INSERT INTO executions (queue, workflow_hash, workflow_name, input, state, max_attempts)"
                    + " VALUES ('mail', 'h', 'wf', '{}', 'available', 1)");
            st.execute("INSERT INTO workers (worker_id, pool_id, host, pid, concurrency, queues, version)"
                    + " VALUES ('w', 'p', 'h', 1, 4, 'default,reports', '0.1.0')");
        }
        try (ExecutionStore store = PostgresTestDatabase.open(schema, StoreOptions.defaults("upgrade"))) {
            store.migrate();

            assertThat(store.schemaStatus().upToDate()).isTrue();
            assertThat(store.queueList())
                    .containsExactly(
                            new KnownQueue("default", false),
                            new KnownQueue("mail", false),
                            new KnownQueue("reports", false));
            assertKeysOfOldExecutionsAreKeptAndNewOnesScoped(store, 1);
        } finally {
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    @Test
    void aMigrationQueuedBehindALongTransactionGivesUpInsteadOfHoldingTheQueueBack() throws Exception {
        PostgresTestDatabase.require();
        String schema = PostgresTestDatabase.newSchema();
        versionOnePostgresSchema(schema).close();
        try (Connection report = PostgresTestDatabase.connect();
                ExecutionStore store = PostgresTestDatabase.open(schema, StoreOptions.defaults("upgrade"))) {
            // A report that reads the table in a transaction left open: later migrations change it.
            report.setAutoCommit(false);
            try (Statement st = report.createStatement()) {
                st.executeQuery("SELECT count(*) FROM " + schema + ".executions")
                        .close();
            }

            assertThatThrownBy(store::migrate)
                    .isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("cannot migrate the schema now: a lock it needs was not granted in time")
                    .hasMessageContaining("pg_stat_activity");
            assertThat(store.schemaStatus().currentVersion())
                    .as("nothing was changed")
                    .isEqualTo(1);

            report.commit();
            store.migrate();
            assertThat(store.schemaStatus().upToDate()).isTrue();
        } finally {
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    /**
     * An execution submitted before the upgrade keeps the key scope it had (none, so its nodes send
     * {@code <execution id>:<node id>} as before); one submitted after gets the installation id.
     */
    private static void assertKeysOfOldExecutionsAreKeptAndNewOnesScoped(ExecutionStore store, long oldId) {
        Installation installation = store.installation();
        assertThat(installation.keyScope(oldId)).isNull();
        long fresh = store.executionSubmitMany(List.of(SubmitRequest.now("mail", "h", "wf", "{}", 1)))
                .get(0)
                .executionId();
        assertThat(fresh).isGreaterThan(oldId);
        assertThat(installation.keyScope(fresh)).isEqualTo(installation.id());
    }

    @Test
    void everyNewStoreGetsItsOwnInstallationIdAndKeysFromItsFirstExecution() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try (ExecutionStore store = SqliteExecutionStore.open(tmp.resolve(i + ".db"), StoreOptions.defaults("t"))) {
                store.migrate();
                ids.add(store.installation().id());
                assertThat(store.installation().keysFrom()).isEqualTo(1);
            }
        }
        PostgresTestDatabase.require();
        for (int i = 0; i < 2; i++) {
            String schema = PostgresTestDatabase.newSchema();
            try (ExecutionStore store = PostgresTestDatabase.open(schema, StoreOptions.defaults("t"))) {
                store.migrate();
                Installation installation = store.installation();
                ids.add(installation.id());
                store.workflowPut(new WorkflowDocument("h", "wf", "{}"));
                long first = store.executionSubmitMany(List.of(SubmitRequest.now("default", "h", "wf", "{}", 1)))
                        .get(0)
                        .executionId();
                assertThat(installation.keyScope(first)).isEqualTo(installation.id());
            } finally {
                PostgresTestDatabase.dropSchema(schema);
            }
        }
        assertThat(ids).doesNotHaveDuplicates().hasSize(4);
    }
}
