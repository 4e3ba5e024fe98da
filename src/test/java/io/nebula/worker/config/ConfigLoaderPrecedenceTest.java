package io.nebula.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every setting of the public contract, through every layer it has: the default alone, then the file over
 * the default, then the environment over the file, then the flag over the environment.
 */
class ConfigLoaderPrecedenceTest {
    @TempDir
    Path dir;

    /**
     * One seed setting and a distinct value per layer; {@code null} means the layer cannot set it.
     */
    record Case(
            Setting setting,
            Function<WorkerConfig, Object> read,
            Object defaultValue,
            String tomlValue,
            Object fileValue,
            String envName,
            String envText,
            Object envValue,
            String flagText,
            Object flagValue) {
        @Override
        public String toString() {
            return setting.key();
        }
    }

    static Stream<Case> seedSettings() {
        return Stream.of(
                new Case(
                        Setting.CONCURRENCY,
                        c -> c.worker().concurrency(),
                        4,
                        "8",
                        8,
                        "WORKER_CONCURRENCY",
                        "12",
                        12,
                        "16",
                        16),
                new Case(
                        Setting.WORKER_ID,
                        c -> c.worker().workerId(),
                        ConfigFixture.DEFAULT_WORKER_ID,
                        "\"from-file\"",
                        "from-file",
                        "WORKER_ID",
                        "from-env",
                        "from-env",
                        "from-flag",
                        "from-flag"),
                new Case(
                        Setting.POLL_INTERVAL_MS,
                        c -> c.worker().pollInterval(),
                        Duration.ofMillis(100),
                        "250",
                        Duration.ofMillis(250),
                        "QUEUE_POLL_INTERVAL_MS",
                        "500",
                        Duration.ofMillis(500),
                        "750",
                        Duration.ofMillis(750)),
                new Case(
                        Setting.HEARTBEAT_INTERVAL_SECONDS,
                        c -> c.worker().heartbeatInterval(),
                        Duration.ofSeconds(30),
                        "20",
                        Duration.ofSeconds(20),
                        null,
                        null,
                        null,
                        null,
                        null),
                new Case(
                        Setting.SHUTDOWN_TIMEOUT_SECONDS,
                        c -> c.worker().shutdownTimeout(),
                        Duration.ofSeconds(30),
                        "45",
                        Duration.ofSeconds(45),
                        "WORKER_SHUTDOWN_TIMEOUT_SECONDS",
                        "60",
                        Duration.ofSeconds(60),
                        null,
                        null),
                new Case(Setting.BATCH_SIZE, c -> c.queue().batchSize(), 10, "25", 25, null, null, null, null, null),
                new Case(
                        Setting.VISIBILITY_TIMEOUT_SECONDS,
                        c -> c.queue().visibilityTimeout(),
                        Duration.ofSeconds(300),
                        "600",
                        Duration.ofSeconds(600),
                        null,
                        null,
                        null,
                        null,
                        null),
                new Case(Setting.MAX_RETRIES, c -> c.queue().maxRetries(), 3, "5", 5, null, null, null, null, null),
                new Case(
                        Setting.DATABASE_URL,
                        c -> c.database().url().redacted(),
                        null,
                        "\"postgres://filehost/nebula\"",
                        "postgres://filehost/nebula",
                        "DATABASE_URL",
                        "postgresql://envhost:6543/other",
                        "postgresql://envhost:6543/other",
                        null,
                        null),
                new Case(
                        Setting.MAX_CONNECTIONS,
                        c -> c.database().maxConnections(),
                        20,
                        "30",
                        30,
                        null,
                        null,
                        null,
                        null,
                        null),
                new Case(
                        Setting.HEALTH_PORT,
                        c -> c.health().port(),
                        9090,
                        "9191",
                        9191,
                        "HEALTH_PORT",
                        "9292",
                        9292,
                        "9393",
                        9393),
                new Case(
                        Setting.CHECK_INTERVAL_SECONDS,
                        c -> c.health().checkInterval(),
                        Duration.ofSeconds(10),
                        "15",
                        Duration.ofSeconds(15),
                        null,
                        null,
                        null,
                        null,
                        null),
                new Case(
                        Setting.METRICS,
                        c -> c.health().metrics(),
                        true,
                        "false",
                        false,
                        "ENABLE_METRICS",
                        "true",
                        true,
                        null,
                        null),
                new Case(
                        Setting.LOG_FILTER,
                        c -> c.log().filter(),
                        "nebula_worker=info",
                        "\"nebula_worker=warn\"",
                        "nebula_worker=warn",
                        "NEBULA_LOG",
                        "nebula_worker::queue=debug",
                        "nebula_worker::queue=debug",
                        null,
                        null),
                new Case(
                        Setting.LOG_FORMAT,
                        c -> c.log().format(),
                        "text",
                        "\"json\"",
                        "json",
                        "NEBULA_LOG_FORMAT",
                        "text",
                        "text",
                        "json",
                        "json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seedSettings")
    void eachLayerOverridesTheOneBelow(Case c) {
        ConfigFixture fx = new ConfigFixture(dir);
        Map<String, String> env = new HashMap<>();
        String toml = "[" + c.setting().section() + "]\n" + c.setting().keyInSection() + " = " + c.tomlValue() + "\n";

        if (c.defaultValue() != null) {
            assertThat(c.read().apply(fx.load(null, env, FlagOverrides.none()))).isEqualTo(c.defaultValue());
        }
        assertThat(c.read().apply(fx.load(toml, env, FlagOverrides.none()))).isEqualTo(c.fileValue());
        if (c.envName() != null) {
            env.put(c.envName(), c.envText());
            assertThat(c.read().apply(fx.load(toml, env, FlagOverrides.none()))).isEqualTo(c.envValue());
        }
        if (c.flagText() != null) {
            FlagOverrides flags = FlagOverrides.none().with(c.setting(), c.flagText());
            assertThat(c.read().apply(fx.load(toml, env, flags))).isEqualTo(c.flagValue());
        }
    }

    @Test
    void defaultDatabaseIsTheEmbeddedSqliteFileUnderTheWorkingDirectory() {
        WorkerConfig config = new ConfigFixture(dir).load(null, Map.of(), FlagOverrides.none());

        assertThat(config.database().url())
                .isEqualTo(new DatabaseUrl.Sqlite(dir.resolve("data/nebula.db").toAbsolutePath()));
    }

    @Test
    void rustLogIsReadWhenNebulaLogIsUnsetAndIgnoredWhenItIsSet() {
        ConfigFixture fx = new ConfigFixture(dir);

        assertThat(fx.load(null, Map.of("RUST_LOG", "nebula_worker=debug"), FlagOverrides.none())
                        .log()
                        .filter())
                .isEqualTo("nebula_worker=debug");
        assertThat(fx.load(
                                null,
                                Map.of("RUST_LOG", "nebula_worker=debug", "NEBULA_LOG", "nebula_worker=trace"),
                                FlagOverrides.none())
                        .log()
                        .filter())
                .isEqualTo("nebula_worker=trace");
    }

    @Test
    void verboseRaisesOurLoggingButNeverLowersIt() {
        ConfigFixture fx = new ConfigFixture(dir);

        assertThat(fx.load(null, Map.of(), FlagOverrides.none().withVerbosity(1))
                        .log()
                        .filter())
                .isEqualTo("nebula_worker=info,nebula_worker=debug");
        assertThat(fx.load(null, Map.of(), FlagOverrides.none().withVerbosity(2))
                        .log()
                        .filter())
                .endsWith("nebula_worker=trace");
        assertThat(fx.load(
                                null,
                                Map.of("NEBULA_LOG", "trace"),
                                FlagOverrides.none().withVerbosity(1))
                        .log()
                        .filter())
                .isEqualTo("trace");
    }

    @Test
    void configFileComesFromNebulaConfigWhenNoFlagGivesOne() {
        ConfigFixture fx = new ConfigFixture(dir);
        Path file = fx.toml("[worker]\nconcurrency = 7\n");

        WorkerConfig config =
                fx.loader(Map.of("NEBULA_CONFIG", file.toString())).load(null, FlagOverrides.none());

        assertThat(config.worker().concurrency()).isEqualTo(7);
    }

    @Test
    void queuesComeFromAListInTheFileOrACommaSeparatedVariable() {
        ConfigFixture fx = new ConfigFixture(dir);

        assertThat(fx.load(null, Map.of(), FlagOverrides.none()).worker().queues())
                .containsExactly("default");
        assertThat(fx.load("[worker]\nqueues = [\"a\", \"b\"]\n", Map.of(), FlagOverrides.none())
                        .worker()
                        .queues())
                .containsExactly("a", "b");
        assertThat(fx.load(null, Map.of("WORKER_QUEUES", "emails, reports"), FlagOverrides.none())
                        .worker()
                        .queues())
                .containsExactly("emails", "reports");
    }

    @Test
    void emptyVariablesCountAsUnset() {
        WorkerConfig config = new ConfigFixture(dir)
                .load("[worker]\nconcurrency = 6\n", Map.of("WORKER_CONCURRENCY", ""), FlagOverrides.none());

        assertThat(config.worker().concurrency()).isEqualTo(6);
    }

    @Test
    void everyKeyHasItsDocumentedDefault() {
        WorkerConfig c = new ConfigFixture(dir).load(null, Map.of(), FlagOverrides.none());

        assertThat(c.worker().queues()).containsExactly("default");
        assertThat(c.queue().listen()).isTrue();
        assertThat(c.queue().maxInputBytes()).isEqualTo(1_048_576L);
        assertThat(c.queue().quarantineAfter()).isEqualTo(3);
        assertThat(c.queue().retention()).isEqualTo(Duration.ofHours(168));
        assertThat(c.queue().retryBackoff()).isEqualTo(Duration.ofMillis(1000));
        assertThat(c.queue().retryBackoffMax()).isEqualTo(Duration.ofMillis(300_000));
        assertThat(c.database().schema()).isEqualTo("nebula");
        assertThat(c.health().enabled()).isTrue();
        assertThat(c.health().bind()).isEqualTo("0.0.0.0");
        assertThat(c.tracing().enabled()).isTrue();
        assertThat(c.log().format()).isEqualTo("text");
        assertThat(c.runtime().maxParallelNodes()).isEqualTo(8);
        assertThat(c.runtime().inlineDelayMax()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.runtime().pluginsDir()).isNull();
        assertThat(c.runtime().maxNodes()).isEqualTo(1000);
        assertThat(c.http().allowPrivateNetworks()).isFalse();
        assertThat(c.http().maxResponseBytes()).isEqualTo(1_048_576L);
        assertThat(c.http().timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void defaultWorkerIdIsHostNameAndProcessId() {
        String id = WorkerIds.defaultId(Map.of("HOSTNAME", "Box-7.example.org"));

        assertThat(id).isEqualTo("box-7-" + ProcessHandle.current().pid());
    }
}
