package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nebula.worker.queue.postgres.PostgresExecutionStore;
import io.nebula.worker.testing.PgBouncer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the PostgreSQL store says at start when it finds itself behind PgBouncer in transaction
 * pooling with something that needs a session of its own: each is a permanent problem (a worker
 * exits with code 2 on it) naming the setting to change.
 */
class PgBouncerChecksTest {
    private static PgBouncer bouncer;
    private final String schema = PostgresTestDatabase.newSchema();

    @BeforeAll
    static void startPgBouncer() {
        PostgresTestDatabase.require();
        // A second entry for the same database whose server connections default to SERIALIZABLE,
        // so the isolation check can be seen without touching the server's settings.
        bouncer = PgBouncer.inFrontOfTestDatabase(
                Map.of("test_serializable", "connect_query='SET default_transaction_isolation TO serializable'"));
    }

    @AfterAll
    static void stopPgBouncer() {
        if (bouncer != null) {
            bouncer.close();
        }
    }

    @AfterEach
    void dropSchema() {
        PostgresTestDatabase.dropSchema(schema);
    }

    private StoreException probeFails(String url, StoreOptions options) {
        try (ExecutionStore s =
                PostgresExecutionStore.open(url, PostgresTestDatabase.properties(), options.withSchema(schema))) {
            StoreException e = catchThrowableOfType(StoreException.class, s::probe);
            assertThat(e).as("probe through PgBouncer with " + options).isNotNull();
            return e;
        }
    }

    /**
     * A pooler accepts logins while the server behind it does not answer (PgBouncer's {@code PAUSE}
     * holds every query, as a frozen server would): the probe, which a stop uses to tell whether
     * the database is gone, waits for an answer from the server, not just the login.
     */
    @Test
    void aProbeThroughAPoolerWaitsForTheServerNotOnlyForTheLogin() throws Exception {
        try (ExecutionStore s = PostgresExecutionStore.open(
                bouncer.jdbcUrl("test"),
                PostgresTestDatabase.properties(),
                StoreOptions.defaults("t").withListen(false).withSchema(schema))) {
            s.probe();
            java.util.concurrent.CompletableFuture<Void> probe;
            bouncer.admin("PAUSE test");
            try {
                probe = java.util.concurrent.CompletableFuture.runAsync(s::probe);
                org.awaitility.Awaitility.await()
                        .atMost(java.time.Duration.ofSeconds(20))
                        .until(() -> bouncer.waitingClients("test") > 0);
                assertThat(probe).as("held while the server does not answer").isNotDone();
            } finally {
                bouncer.admin("RESUME test");
            }
            probe.get(20, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void listenBehindAPoolerIsRefusedAtStartNamingTheSettingToChange() {
        StoreException e =
                probeFails(bouncer.jdbcUrl("test"), StoreOptions.defaults("t").withListen(true));
        assertThat(e.permanent()).isTrue();
        assertThat(e.getMessage())
                .contains("connection pooler")
                .contains("queue.listen = true (LISTEN needs a session of its own): set queue.listen = false")
                .contains("127.0.0.1:" + bouncer.port());
        assertThat(e.problem().publicMessage()).contains("LISTEN").doesNotContain("127.0.0.1");
    }

    @Test
    void aServerDefaultIsolationOtherThanReadCommittedIsRefusedBehindAPooler() {
        StoreException e = probeFails(
                bouncer.jdbcUrl("test_serializable"), StoreOptions.defaults("t").withListen(false));
        assertThat(e.permanent()).isTrue();
        assertThat(e.getMessage())
                .contains("default_transaction_isolation is 'serializable'")
                .contains("SET default_transaction_isolation = 'read committed'")
                .doesNotContain("queue.listen");
    }

    @Test
    void aStartUpParameterPgBouncerRefusesIsExplained() {
        StoreException e = probeFails(
                bouncer.jdbcUrl("test") + "?currentSchema=" + schema,
                StoreOptions.defaults("t").withListen(false));
        assertThat(e.permanent()).isTrue();
        assertThat(e.getMessage())
                .contains("unsupported startup parameter: search_path")
                .contains("remove currentSchema");
    }

    @Test
    void pollOnlyBehindAPoolerStartsAndMigratesAndTheSameStoreDirectlySeesNoPooler() {
        try (ExecutionStore s = PostgresExecutionStore.open(
                bouncer.jdbcUrl("test"),
                PostgresTestDatabase.properties(),
                StoreOptions.defaults("t").withListen(false).withSchema(schema))) {
            s.probe();
            s.migrate();
            assertThat(s.schemaStatus().upToDate()).isTrue();
        }
        // Directly, LISTEN is fine: the same check finds no pooler.
        try (ExecutionStore s =
                PostgresTestDatabase.open(schema, StoreOptions.defaults("t").withListen(true))) {
            s.probe();
            assertThat(s.schemaStatus().upToDate()).isTrue();
        }
    }
}
