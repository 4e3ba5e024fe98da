package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The operator commands against the local PostgreSQL, configured the way operators do it: a
 * {@code --config} file naming the database URL and schema. A worker in this JVM runs the work.
 */
class CliPostgresTest {
    @TempDir
    Path tmp;

    private String schema;
    private Path config;
    private WorkerApp.Running worker;

    @BeforeAll
    static void requirePostgres() {
        PostgresTestDatabase.require();
    }

    @BeforeEach
    void setUp() throws Exception {
        schema = PostgresTestDatabase.newSchema();
        config = tmp.resolve("worker.toml");
        String url =
                PostgresTestDatabase.URL.replace("jdbc:postgresql://", "postgres://" + PostgresTestDatabase.USER + "@");
        Files.writeString(config, "[database]\nurl = \"" + url + "\"\nschema = \"" + schema + "\"\n");
    }

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.worker().worker().stop(Duration.ZERO);
        }
        PostgresTestDatabase.dropSchema(schema);
    }

    private CliRun run(String... args) {
        return CliRun.withConfig(config, Map.of("NEBULA_LOG", "nebula_worker=warn"), args);
    }

    @Test
    void migrateSubmitWaitInspectAndExplain() throws Exception {
        assertThat(run("migrate", "--check").exitCode()).isEqualTo(ExitCode.CONFLICT);
        CliRun unmigrated = run("executions", "list");
        assertThat(unmigrated.exitCode()).isEqualTo(ExitCode.CONFLICT);
        assertThat(unmigrated.err())
                .contains("has no nebula schema yet in schema '" + schema + "' (database.schema): run `nebula-worker"
                        + " migrate`");
        CliRun migrate = run("migrate");
        assertThat(migrate.exitCode()).as(migrate.err()).isZero();
        assertThat(migrate.out()).contains("postgres://").contains("from schema version 0 to");

        CliRun queued = run("submit", CliFixture.example("hello.json").toString(), "--json");
        long first = JsonViews.JSON.readTree(queued.out()).get("id").asLong();
        CliRun explain = run("executions", "explain", Long.toString(first));
        assertThat(explain.out()).contains("[no_live_worker]");

        worker = WorkerApp.start(
                TestConfigs.postgres(PostgresTestDatabase.URL, PostgresTestDatabase.properties(), schema), List.of());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> worker.worker().worker().readiness().snapshot().ready());

        CliRun waited = run("submit", CliFixture.example("flaky-retry.json").toString(), "--wait");
        assertThat(waited.exitCode()).as(waited.out() + waited.err()).isZero();
        assertThat(waited.out()).contains("node flaky (fail) succeeded").contains("succeeded on try 3");

        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        run("executions", "explain", Long.toString(first)).out().contains("[succeeded]"));
        JsonNode list =
                JsonViews.JSON.readTree(run("executions", "list", "--json").out());
        assertThat(list).hasSize(2);
        assertThat(list.get(1).get("state").asString()).isEqualTo("succeeded");
        assertThat(run("executions", "show", Long.toString(first)).out())
                .containsPattern("greet +transform +succeeded");
        assertThat(run("workers", "list").out()).contains("test-pool");
        assertThat(run("queues", "stats").out()).containsPattern("default +no +0 +0 +0 +- +2");
        assertThat(run("executions", "retry", "999").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    }

    @Test
    void bulkSubmitIsOneTransactionPerBatch() throws Exception {
        run("migrate");
        Path lines = tmp.resolve("in.jsonl");
        Files.writeString(lines, "{\"name\":\"a\"}\n".repeat(2500));

        CliRun r = run("submit", CliFixture.example("hello.json").toString(), "--inputs", lines.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("submitted 2500 executions of workflow 'hello' on queue 'default' in 3 batches");
        assertThat(JsonViews.JSON
                        .readTree(run("queues", "stats", "--json").out())
                        .get(0)
                        .get("due")
                        .asLong())
                .isEqualTo(2500);
    }

    @Test
    void aDatabaseThatDoesNotExistIsBadConfigurationSaidInPlainWords() {
        CliRun r = CliRun.of(
                Map.of("DATABASE_URL", "postgres://" + PostgresTestDatabase.USER + "@127.0.0.1:5432/nebula_nope"),
                "executions",
                "list");

        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err())
                .isEqualTo("nebula-worker: database 'nebula_nope' does not exist on 127.0.0.1:5432: create it"
                        + " (createdb nebula_nope) or fix DATABASE_URL\n");
    }
}
