package io.nebula.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each class of bad configuration fails with a message naming the key, its source and what is allowed. */
class ConfigErrorsTest {
    @TempDir
    Path dir;

    private ConfigException fail(String toml, Map<String, String> env, FlagOverrides flags) {
        ConfigFixture fx = new ConfigFixture(dir);
        return catchThrowableOfType(ConfigException.class, () -> fx.load(toml, env, flags));
    }

    private ConfigException failFile(String toml) {
        return fail(toml, Map.of(), FlagOverrides.none());
    }

    private String fileName() {
        return dir.toString();
    }

    @Test
    void unknownKeyIsNamedWithItsLineAndTheKeysItsSectionAccepts() {
        ConfigException e = failFile("# comment\n[worker]\nconcurency = 8\n");

        assertThat(e.key()).isEqualTo("worker.concurency");
        assertThat(e.getMessage())
                .contains("unknown key worker.concurency")
                .contains(fileName())
                .contains(" line 3")
                .contains("concurrency, worker_id")
                .contains("did you mean concurrency?");
    }

    @Test
    void unknownSectionIsNamedWithItsLine() {
        ConfigException e = failFile("[worker]\nconcurrency = 8\n\n[wroker]\nx = 1\n");

        assertThat(e.key()).isEqualTo("wroker");
        assertThat(e.getMessage())
                .contains("unknown section [wroker]")
                .contains(" line 4")
                .contains("known sections: worker, queue, database, health, tracing, otel, log, runtime, http");
    }

    @Test
    void keyOutsideAnySectionSaysWhereItBelongs() {
        ConfigException e = failFile("concurrency = 8\n");

        assertThat(e.getMessage())
                .contains("unknown key concurrency")
                .contains("line 1")
                .contains("under [worker]");
    }

    @Test
    void nestedTableInsideASectionIsAnUnknownKey() {
        ConfigException e = failFile("[worker]\nconcurrency = 8\n[worker.extra]\nx = 1\n");

        assertThat(e.key()).isEqualTo("worker.extra");
        assertThat(e.getMessage()).contains("line 3");
    }

    @Test
    void wrongTypeInTheFileNamesKeyLineAndExpectedType() {
        ConfigException e = failFile("[queue]\nbatch_size = 10\n\nmax_retries = \"three\"\n");

        assertThat(e.key()).isEqualTo("queue.max_retries");
        assertThat(e.getMessage())
                .startsWith("invalid queue.max_retries from file " + dir)
                .contains(" line 4: ")
                .endsWith(": found a string; expected a whole number from 0 to 1000");
    }

    @Test
    void wrongTypeInAVariableNamesTheVariable() {
        ConfigException e = fail(null, Map.of("WORKER_CONCURRENCY", "many"), FlagOverrides.none());

        assertThat(e.key()).isEqualTo("worker.concurrency");
        assertThat(e.getMessage())
                .isEqualTo("invalid worker.concurrency from env WORKER_CONCURRENCY: found \"many\", which is not a"
                        + " whole number; expected a whole number from 1 to 10000");
    }

    @Test
    void negativeCountFromAFlagNamesTheFlag() {
        ConfigException e = fail(null, Map.of(), FlagOverrides.none().with(Setting.CONCURRENCY, "-1"));

        assertThat(e.getMessage())
                .isEqualTo("invalid worker.concurrency from flag --concurrency: found -1; expected a whole number"
                        + " from 1 to 10000");
    }

    @Test
    void zeroCountInTheFileIsRejected() {
        ConfigException e = failFile("[queue]\nbatch_size = 0\n");

        assertThat(e.key()).isEqualTo("queue.batch_size");
        assertThat(e.getMessage()).contains("line 2").contains("found 0").contains("from 1 to 10000");
    }

    @Test
    void zeroPollIntervalFromTheEnvironmentIsRejected() {
        ConfigException e = fail(null, Map.of("QUEUE_POLL_INTERVAL_MS", "0"), FlagOverrides.none());

        assertThat(e.getMessage()).contains("worker.poll_interval_ms from env QUEUE_POLL_INTERVAL_MS: found 0");
    }

    @Test
    void portOutOfRangeIsRejected() {
        ConfigException env = fail(null, Map.of("HEALTH_PORT", "70000"), FlagOverrides.none());
        ConfigException flag = fail(null, Map.of(), FlagOverrides.none().with(Setting.HEALTH_PORT, "-5"));

        assertThat(env.getMessage())
                .isEqualTo("invalid health.port from env HEALTH_PORT: found 70000; expected a port number from 0 to"
                        + " 65535");
        assertThat(flag.getMessage()).contains("flag --health-port").contains("found -5");
    }

    @Test
    void heartbeatNotShorterThanVisibilityTimeoutNamesBothKeysAndSources() {
        ConfigException e = failFile("[worker]\nheartbeat_interval_seconds = 300\n");

        assertThat(e.key()).isEqualTo("worker.heartbeat_interval_seconds");
        assertThat(e.getMessage())
                .contains("worker.heartbeat_interval_seconds (300 from file")
                .contains("line 2)")
                .contains("must be shorter than queue.visibility_timeout_seconds (300 from default)");
    }

    @Test
    void retryBackoffMaxBelowTheFirstDelayIsRejected() {
        ConfigException e = failFile("[queue]\nretry_backoff_ms = 5000\nretry_backoff_max_ms = 100\n");

        assertThat(e.key()).isEqualTo("queue.retry_backoff_max_ms");
        assertThat(e.getMessage()).contains("queue.retry_backoff_ms (5000 from file");
    }

    @Test
    void malformedUrlNamesTheVariableAndTheAcceptedFormsWithoutThePassword() {
        ConfigException e =
                fail(null, Map.of("DATABASE_URL", "postgres://app:s3cr3t@db:notaport/x"), FlagOverrides.none());

        assertThat(e.key()).isEqualTo("database.url");
        assertThat(e.getMessage())
                .contains("invalid database.url from env DATABASE_URL")
                .contains("port \"notaport\"")
                .contains("sqlite:PATH")
                .doesNotContain("s3cr3t");
    }

    @Test
    void unsupportedSchemeInTheFileNamesFileAndLine() {
        ConfigException e = failFile("[database]\n\nurl = \"mysql://root:hunter2@db/x\"\n");

        assertThat(e.getMessage())
                .contains("database.url from file")
                .contains("line 3")
                .contains("unsupported form \"mysql://root:***@db/x\"")
                .doesNotContain("hunter2");
    }

    @Test
    void malformedTomlGivesTheLine() {
        ConfigException e = failFile("[worker]\nconcurrency = 8\nbatch = = 3\n");

        assertThat(e.getMessage()).contains("line 3").contains("malformed TOML");
    }

    @Test
    void duplicateKeyIsMalformedToml() {
        ConfigException e = failFile("[worker]\nconcurrency = 8\nconcurrency = 9\n");

        assertThat(e.getMessage()).contains("malformed TOML").contains("line 3");
    }

    @Test
    void missingConfigFileNamesWhereThePathCameFrom() {
        ConfigFixture fx = new ConfigFixture(dir);

        ConfigException flag = catchThrowableOfType(
                ConfigException.class, () -> fx.loader(Map.of()).load(dir.resolve("nope.toml"), FlagOverrides.none()));
        ConfigException env = catchThrowableOfType(
                ConfigException.class,
                () -> fx.loader(Map.of("NEBULA_CONFIG", "missing.toml")).load(null, FlagOverrides.none()));

        assertThat(flag.getMessage())
                .contains("nope.toml")
                .contains("from flag --config")
                .contains("does not exist");
        assertThat(env.getMessage()).contains("missing.toml").contains("from env NEBULA_CONFIG");
    }

    @Test
    void badLogFilterNamesTheVariable() {
        ConfigException nebula = fail(null, Map.of("NEBULA_LOG", "nebula_worker=loud"), FlagOverrides.none());
        ConfigException rust = fail(null, Map.of("RUST_LOG", "nebula_worker=loud"), FlagOverrides.none());

        assertThat(nebula.key()).isEqualTo("log.filter");
        assertThat(nebula.getMessage())
                .contains("from env NEBULA_LOG")
                .contains("off, error, warn, info, debug, trace");
        assertThat(rust.getMessage()).contains("from env RUST_LOG");
    }

    @Test
    void badLogFormatListsTheChoices() {
        ConfigException e = fail(null, Map.of(), FlagOverrides.none().with(Setting.LOG_FORMAT, "xml"));

        assertThat(e.getMessage())
                .isEqualTo("invalid log.format from flag --log-format: found \"xml\"; expected one of text, json");
    }

    @Test
    void emptyQueueListAndBadQueueNamesAreRejected() {
        assertThat(failFile("[worker]\nqueues = []\n").getMessage()).contains("found an empty list");
        assertThat(fail(null, Map.of("WORKER_QUEUES", "ok,bad name"), FlagOverrides.none())
                        .getMessage())
                .contains("env WORKER_QUEUES")
                .contains("queue names");
    }

    @Test
    void badBooleanFromTheEnvironmentIsRejected() {
        ConfigException e = fail(null, Map.of("ENABLE_METRICS", "maybe"), FlagOverrides.none());

        assertThat(e.getMessage())
                .isEqualTo("invalid health.metrics from env ENABLE_METRICS: found \"maybe\", which is not a boolean;"
                        + " expected true or false (or 1/0, yes/no, on/off)");
    }

    @Test
    void hugeNumbersAreRejectedNotWrapped() {
        ConfigException e = failFile("[worker]\nconcurrency = 99999999999\n");

        assertThat(e.getMessage()).contains("worker.concurrency").contains("too large");
    }
}
