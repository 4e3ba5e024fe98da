package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad benchmark options are usage errors (exit 2, one line), caught before anything runs. */
class BenchCommandTest {

    @Test
    void anUnknownScenarioIsAUsageError() {
        CliRun run = CliRun.of(Map.of(), "bench", "--scenario", "drain,warp");

        assertThat(run.exitCode()).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(run.err()).contains("unknown scenario 'warp'").contains("nebula-worker bench --help");
    }

    @Test
    void zeroRepeatsIsAUsageError() {
        CliRun run = CliRun.of(Map.of(), "bench", "--repeats", "0");

        assertThat(run.exitCode()).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(run.err()).contains("repeats must be from 1 to 100");
    }

    @Test
    void aBadDatabaseUrlNamesTheFlag() {
        CliRun run = CliRun.of(Map.of(), "bench", "--database-url", "mysql://x");

        assertThat(run.exitCode()).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(run.err()).contains("--database-url");
    }
}
