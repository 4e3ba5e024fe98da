package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.testing.PgBouncer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator commands through PgBouncer in transaction pooling: {@code migrate} creates the
 * schema and applies every migration (the schema travels in the SQL, not as a start-up parameter
 * PgBouncer would refuse), and the commands that read afterwards work through it too.
 */
class CliPgBouncerTest {
    @TempDir
    Path tmp;

    private PgBouncer bouncer;
    private String schema;
    private Path config;

    @BeforeEach
    void setUp() throws Exception {
        PostgresTestDatabase.require();
        bouncer = PgBouncer.inFrontOfTestDatabase(Map.of());
        schema = PostgresTestDatabase.newSchema();
        config = tmp.resolve("worker.toml");
        Files.writeString(
                config,
                "[database]\nurl = \"postgres://" + PostgresTestDatabase.USER + "@127.0.0.1:" + bouncer.port()
                        + "/test\"\nschema = \"" + schema + "\"\n[queue]\nlisten = false\n");
    }

    @AfterEach
    void tearDown() {
        if (bouncer != null) {
            bouncer.close();
        }
        PostgresTestDatabase.dropSchema(schema);
    }

    private CliRun run(String... args) {
        return CliRun.withConfig(config, Map.of("NEBULA_LOG", "nebula_worker=warn"), args);
    }

    @Test
    void migrateAndTheReadingCommandsWorkThroughTransactionPooling() {
        CliRun migrate = run("migrate");
        assertThat(migrate.exitCode()).as(migrate.err()).isZero();
        assertThat(migrate.out()).contains("from schema version 0 to");
        assertThat(run("migrate", "--check").out()).contains("is up to date");

        CliRun list = run("executions", "list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        CliRun create = run("queues", "create", "reports");
        assertThat(create.exitCode()).as(create.err()).isZero();
        CliRun stats = run("queues", "stats");
        assertThat(stats.exitCode()).as(stats.err()).isZero();
        assertThat(stats.out()).contains("reports");
        assertThat(bouncer.log()).doesNotContain("unsupported startup parameter");
    }
}
