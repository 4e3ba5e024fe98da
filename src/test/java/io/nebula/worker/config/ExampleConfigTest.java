package io.nebula.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped {@code config/worker.toml} is the documented example and loads to exactly its values. */
class ExampleConfigTest {
    static Path projectDir() {
        return Path.of(System.getProperty("nebula.project.dir", "."));
    }

    @Test
    void shippedExampleLoadsWithTheSeedValues() {
        WorkerConfig c = new ConfigLoader(Map.of(), projectDir(), () -> "w-1")
                .load(projectDir().resolve("config/worker.toml"), FlagOverrides.none());

        assertThat(c.worker().concurrency()).isEqualTo(8);
        assertThat(c.worker().pollInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.worker().heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.worker().shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.queue().batchSize()).isEqualTo(10);
        assertThat(c.queue().visibilityTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.queue().maxRetries()).isEqualTo(3);
        assertThat(c.database().url()).isInstanceOf(DatabaseUrl.Postgres.class);
        DatabaseUrl.Postgres pg = (DatabaseUrl.Postgres) c.database().url();
        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/nebula");
        assertThat(pg.redacted()).isEqualTo("postgres://localhost/nebula");
        assertThat(c.database().maxConnections()).isEqualTo(20);
        assertThat(c.health().port()).isEqualTo(9090);
        assertThat(c.health().checkInterval()).isEqualTo(Duration.ofSeconds(10));
    }
}
