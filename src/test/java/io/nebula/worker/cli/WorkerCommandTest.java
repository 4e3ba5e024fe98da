package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.config.ConfigException;
import io.nebula.worker.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkerCommandTest {
    private static final Map<String, String> NO_ENV = Map.of("NEBULA_LOG", "nebula_worker=warn");

    @TempDir
    Path dir;

    @Test
    void helpListsEverySeedOptionWithItsDefaultAndVariable() {
        CliRun run = CliRun.of(NO_ENV, "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("nebula-worker 0.1.0")
                .contains("Queue worker for Nebula workflow engine")
                .contains("USAGE:")
                .containsPattern("-c, --concurrency <N> +Number of concurrent workers \\[default: 4]")
                .containsPattern("-w, --worker-id <ID> +Worker pool identifier .*\\[env: WORKER_ID]")
                .containsPattern("-h, --health-port <PORT> +Health check port \\[default: 9090]")
                .containsPattern("-p, --poll-interval <MS> +Queue poll interval in ms \\[default: 100]")
                .containsPattern("--config <FILE> +Configuration file path")
                .containsPattern("-v, --verbose +Enable verbose logging")
                .containsPattern("--help +Display help information")
                .containsPattern("--version +Print version information")
                .contains("--log-format <FORMAT>");
        for (String variable : new String[] {
            "WORKER_CONCURRENCY",
            "WORKER_ID",
            "QUEUE_POLL_INTERVAL_MS",
            "WORKER_SHUTDOWN_TIMEOUT_SECONDS",
            "DATABASE_URL",
            "HEALTH_PORT",
            "ENABLE_METRICS",
            "NEBULA_LOG",
            "RUST_LOG",
            "NEBULA_LOG_FORMAT",
            "NEBULA_CONFIG"
        }) {
            assertThat(run.out()).contains(variable);
        }
        // And every variable any setting reads, so the help hides none of them.
        for (Setting setting : Setting.values()) {
            setting.env().ifPresent(v -> assertThat(run.out()).as(setting.key()).contains(v));
        }
    }

    @Test
    void defaultsShownInHelpAreTheLoadersDefaults() {
        String help = CliRun.of(NO_ENV, "--help").out();

        assertThat(help).contains("concurrent workers [default: " + Setting.CONCURRENCY.defaultValue() + "]");
        assertThat(help).contains("Health check port [default: " + Setting.HEALTH_PORT.defaultValue() + "]");
        assertThat(help).contains("poll interval in ms [default: " + Setting.POLL_INTERVAL_MS.defaultValue() + "]");
        assertThat(help).contains("[default: " + Setting.DATABASE_URL.defaultValue() + "]");
    }

    @Test
    void helpNeverShowsTheDatabasePassword() {
        CliRun run = CliRun.of(Map.of("DATABASE_URL", "postgres://app:hunter2@db/nebula"), "--help");

        assertThat(run.out() + run.err()).doesNotContain("hunter2");
    }

    @Test
    void aSubcommandNameAsAnOptionValueIsRefusedOnEveryPath() {
        for (String[] args : new String[][] {
            {"-w", "migrate"},
            {"--config", "bench"},
            {"-w=x", "submit"},
            {"--worker-id=submit"},
            {"-wdemo"},
            {"-vc=bench"}
        }) {
            CliRun run = CliRun.of(NO_ENV, args);
            CliRun whole = CliRun.whole(NO_ENV, args);

            assertThat(run.exitCode()).as(String.join(" ", args)).isNotZero().isEqualTo(whole.exitCode());
            assertThat(run.config()).as("the worker must not start").isNull();
            assertThat(run.err()).isEqualTo(whole.err());
        }
    }

    @Test
    void theWorkerRunsWithItsOptionsThroughTheRootAloneAsThroughTheWholeCommandLine() {
        CliRun run = CliRun.of(NO_ENV, "-c", "7", "--worker-id", "w-1", "-p", "250");
        CliRun whole = CliRun.whole(NO_ENV, "-c", "7", "--worker-id", "w-1", "-p", "250");

        assertThat(run.exitCode()).isZero();
        assertThat(run.config().worker().concurrency()).isEqualTo(7);
        assertThat(run.config().worker().workerId()).isEqualTo("w-1");
        assertThat(run.config().worker().pollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(run.config()).isEqualTo(whole.config());
    }

    @Test
    void versionPrintsNameAndVersion() {
        CliRun run = CliRun.of(NO_ENV, "--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().strip()).isEqualTo("nebula-worker 0.1.0");
    }

    @Test
    void flagsReachTheStarterAndShortHIsTheHealthPort() {
        CliRun run = CliRun.of(
                NO_ENV, "-c", "8", "-w", "worker-prod-01", "-h", "9191", "-p", "50", "--log-format", "json", "-vv");

        assertThat(run.exitCode()).isZero();
        assertThat(run.config().worker().concurrency()).isEqualTo(8);
        assertThat(run.config().worker().workerId()).isEqualTo("worker-prod-01");
        assertThat(run.config().health().port()).isEqualTo(9191);
        assertThat(run.config().worker().pollInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(run.config().log().format()).isEqualTo("json");
        assertThat(run.config().log().filter()).endsWith("nebula_worker=trace");
    }

    @Test
    void longFormsAndConfigFileWork() throws Exception {
        Path toml = Files.writeString(dir.resolve("w.toml"), "[worker]\nconcurrency = 3\n[health]\nport = 9999\n");

        CliRun run = CliRun.of(NO_ENV, "--config", toml.toString(), "--health-port", "9000");

        assertThat(run.config().worker().concurrency()).isEqualTo(3);
        assertThat(run.config().health().port()).isEqualTo(9000);
    }

    @Test
    void aValueAfterAnEqualsSignIsReadAsAfterASpace() throws Exception {
        Path toml = Files.writeString(dir.resolve("eq.toml"), "[worker]\nconcurrency = 3\n");
        String[] spaced = {
            "--config", toml.toString(), "--concurrency", "7", "--worker-id", "w=1", "-p", "250", "--log-format", "json"
        };
        String[] equals = {"--config=" + toml, "--concurrency=7", "--worker-id=w=1", "-p=250", "--log-format=json"};

        CliRun run = CliRun.of(NO_ENV, equals);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.config().worker().concurrency()).isEqualTo(7);
        assertThat(run.config().worker().workerId()).isEqualTo("w=1");
        assertThat(run.config().worker().pollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(run.config().log().format()).isEqualTo("json");
        assertThat(run.config()).isEqualTo(CliRun.of(NO_ENV, spaced).config());
        assertThat(run.config()).isEqualTo(CliRun.whole(NO_ENV, equals).config());
        assertThat(CliRun.of(NO_ENV, "-c=8").config().worker().concurrency()).isEqualTo(8);
        assertThat(CliRun.of(NO_ENV, "--verbose=false").config().log().filter())
                .as("--verbose=false adds no verbosity")
                .isEqualTo(CliRun.of(NO_ENV).config().log().filter());
        CliRun missing = CliRun.whole(NO_ENV, "schedules", "create", "x", "--cron", "0 2 * * *");
        assertThat(missing.err()).contains("'--workflow <FILE|NAME[@HASH]>'");
        CliRun bad = CliRun.of(NO_ENV, "--concurrency=0");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("concurrency").contains("found 0");
    }

    @Test
    void badFlagValueExitsWithTwoAndNamesTheFlagWithoutAStackTrace() {
        CliRun run = CliRun.of(NO_ENV, "--concurrency", "0");

        assertThat(run.exitCode()).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(run.err())
                .isEqualTo("nebula-worker: invalid worker.concurrency from flag --concurrency: found 0; expected a"
                        + " whole number from 1 to 10000" + System.lineSeparator());
        assertThat(run.config()).isNull();
    }

    @Test
    void badEnvironmentExitsWithTwoAndKeepsThePasswordOut() {
        CliRun run = CliRun.of(Map.of("DATABASE_URL", "postgres://app:hunter2@db:port/nebula"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .contains("env DATABASE_URL")
                .doesNotContain("hunter2")
                .doesNotContain("\tat ");
    }

    @Test
    void badFileExitsWithTwoNamingFileAndLine() throws Exception {
        Path toml = Files.writeString(dir.resolve("bad.toml"), "[worker]\n\nconcurrency = \"eight\"\n");

        CliRun run = CliRun.of(NO_ENV, "--config", toml.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("worker.concurrency from file " + toml + " line 3: found a string");
    }

    @Test
    void aMisspelledCommandOrOptionGetsTheNearOneSuggested() {
        CliRun command = CliRun.of(NO_ENV, "exectuions", "list");
        CliRun option = CliRun.of(NO_ENV, "--concurency", "4");

        assertThat(command.exitCode()).isEqualTo(2);
        assertThat(command.err()).contains("Did you mean").contains("executions");
        assertThat(option.exitCode()).isEqualTo(2);
        assertThat(option.err()).contains("--concurrency");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--bogus", "-h", "-x"})
    void usageErrorsExitWithTwoAndPointToHelp(String arg) {
        CliRun run = CliRun.of(NO_ENV, arg);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Try 'nebula-worker --help'");
    }

    @Test
    void usageErrorsRedactPasswordsTheUserTyped() {
        CliRun run = CliRun.of(NO_ENV, "--database-url", "postgres://app:hunter2@db/nebula");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("postgres://app:***@db/nebula").doesNotContain("hunter2");
    }

    @Test
    void starterFailureExitsWithOneAndRedactsTheMessage() {
        CliRun run = CliRun.of(NO_ENV, c -> {
            throw new IllegalStateException("cannot reach postgres://app:hunter2@db/nebula");
        });

        assertThat(run.exitCode()).isEqualTo(Main.FAILURE);
        assertThat(run.err())
                .contains("failed: cannot reach postgres://app:***@db/nebula")
                .doesNotContain("hunter2");
    }

    @Test
    void starterConfigExceptionExitsWithTwo() {
        CliRun run = CliRun.of(NO_ENV, c -> {
            throw new ConfigException("runtime.plugins_dir", "runtime.plugins_dir does not exist");
        });

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("nebula-worker: runtime.plugins_dir does not exist" + System.lineSeparator());
    }

    @Test
    void starterExitCodeIsTheProcessExitCode() {
        assertThat(CliRun.of(NO_ENV, c -> 1).exitCode()).isEqualTo(1);
    }
}
