package io.nebula.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.config.LogFilter.Level;
import org.junit.jupiter.api.Test;

class LogFilterTest {
    @Test
    void rustTargetsMapToOurPackages() {
        LogFilter f =
                LogFilter.parse("nebula_worker=debug,nebula_worker::queue::postgres=trace,com.zaxxer.hikari=warn");

        assertThat(f.directives())
                .extracting(LogFilter.Directive::logger)
                .containsExactly("io.nebula.worker", "io.nebula.worker.queue.postgres", "com.zaxxer.hikari");
        assertThat(f.levelOf("io.nebula.worker.runtime.Runner")).isEqualTo(Level.DEBUG);
        assertThat(f.levelOf("io.nebula.worker.queue.postgres.Listener")).isEqualTo(Level.TRACE);
        assertThat(f.levelOf("com.zaxxer.hikari.pool.HikariPool")).isEqualTo(Level.WARN);
    }

    @Test
    void unnamedLoggersDefaultToWarnAndABareLevelSetsTheRoot() {
        assertThat(LogFilter.parse("nebula_worker=info").levelOf("org.postgresql.Driver"))
                .isEqualTo(Level.WARN);
        assertThat(LogFilter.parse("error,nebula_worker=info").levelOf("org.postgresql.Driver"))
                .isEqualTo(Level.ERROR);
        assertThat(LogFilter.parse("DEBUG").levelOf("anything")).isEqualTo(Level.DEBUG);
    }

    @Test
    void bareTargetEnablesEverythingForItAndLaterDirectivesWin() {
        assertThat(LogFilter.parse("nebula_worker").levelOf("io.nebula.worker.X"))
                .isEqualTo(Level.TRACE);
        assertThat(LogFilter.parse("nebula_worker=debug,nebula_worker=error").levelOf("io.nebula.worker.X"))
                .isEqualTo(Level.ERROR);
        assertThat(LogFilter.parse("nebula_worker::queue=debug,nebula_worker=error")
                        .levelOf("io.nebula.worker.queue.Y"))
                .isEqualTo(Level.DEBUG);
    }

    @Test
    void atLeastRaisesButNeverLowers() {
        assertThat(LogFilter.parse("nebula_worker=info").atLeast(Level.DEBUG).levelOf("io.nebula.worker.A"))
                .isEqualTo(Level.DEBUG);
        assertThat(LogFilter.parse("nebula_worker=trace").atLeast(Level.DEBUG).toString())
                .isEqualTo("nebula_worker=trace");
    }

    @Test
    void badDirectivesAreRejected() {
        assertThatThrownBy(() -> LogFilter.parse("nebula_worker=loud")).hasMessageContaining("nebula_worker=loud");
        assertThatThrownBy(() -> LogFilter.parse("=info")).hasMessageContaining("without a target");
        assertThatThrownBy(() -> LogFilter.parse("nebula_worker=info/claim")).hasMessageContaining("/regex");
        assertThatThrownBy(() -> LogFilter.parse("bad target=info")).hasMessageContaining("not a logger name");
    }

    @Test
    void roundTripsThroughItsOwnSyntax() {
        String text = "info,nebula_worker::queue=debug,com.zaxxer.hikari=warn";

        assertThat(LogFilter.parse(text).toString()).isEqualTo(text);
    }
}
