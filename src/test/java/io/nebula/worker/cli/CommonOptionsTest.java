package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.config.FlagOverrides;
import io.nebula.worker.config.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** A subcommand written the documented way sees the shared options given before or after its name. */
class CommonOptionsTest {
    @TempDir
    Path dir;

    @Command(name = "probe")
    static final class Probe implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @ParentCommand
        WorkerCommand root;

        WorkerConfig config;

        @Override
        public Integer call() {
            config = root.configure(common, FlagOverrides.none());
            return 0;
        }
    }

    private Probe run(String... args) {
        Probe probe = new Probe();
        CliRun run = CliRun.of(Map.of(), c -> 0, List.of(probe), args);
        assertThat(run.exitCode()).as(run.err()).isZero();
        return probe;
    }

    @Test
    void optionsBeforeTheSubcommandApply() throws Exception {
        Path toml = Files.writeString(dir.resolve("w.toml"), "[worker]\nconcurrency = 5\n");

        Probe probe = run("--config", toml.toString(), "-v", "--log-format", "json", "probe");

        assertThat(probe.config.worker().concurrency()).isEqualTo(5);
        assertThat(probe.config.log().format()).isEqualTo("json");
        assertThat(probe.config.log().filter()).endsWith("nebula_worker=debug");
    }

    @Test
    void optionsAfterTheSubcommandApplyAndVerbosityAddsUp() throws Exception {
        Path toml = Files.writeString(dir.resolve("w.toml"), "[worker]\nconcurrency = 6\n");

        Probe probe = run("-v", "probe", "--config", toml.toString(), "-v");

        assertThat(probe.config.worker().concurrency()).isEqualTo(6);
        assertThat(probe.config.log().filter()).endsWith("nebula_worker=trace");
    }

    @Test
    void badConfigurationInASubcommandExitsWithTwo() {
        CliRun run = CliRun.of(Map.of("WORKER_CONCURRENCY", "-3"), c -> 0, List.of(new Probe()), "probe");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("env WORKER_CONCURRENCY");
    }

    @Test
    void subcommandHelpComesFromTheMixin() {
        CliRun run = CliRun.of(Map.of(), c -> 0, List.of(new Probe()), "probe", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--config <FILE>").contains("-v, --verbose");
    }
}
