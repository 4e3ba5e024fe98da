package io.nebula.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code [console]} section: defaults, layers, and a token that never appears in a message. */
class ConsoleSettingsTest {
    @TempDir
    Path dir;

    @Test
    void theConsoleIsOffInWorkersAndOnLoopbackWithoutATokenByDefault() {
        WorkerConfig.Console c = new ConfigFixture(dir)
                .load(null, Map.of(), FlagOverrides.none())
                .console();

        assertThat(c).isEqualTo(WorkerConfig.Console.defaults());
        assertThat(c.enabled()).isFalse();
        assertThat(c.bind()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.token()).isNull();
    }

    @Test
    void fileThenVariablesThenFlags() {
        String toml =
                "[console]\nenabled = true\nbind = \"0.0.0.0\"\nport = 8181\ntoken = \"from-the-file-0123456789\"\n";
        ConfigFixture fx = new ConfigFixture(dir);

        WorkerConfig.Console file =
                fx.load(toml, Map.of(), FlagOverrides.none()).console();
        assertThat(file).isEqualTo(new WorkerConfig.Console(true, "0.0.0.0", 8181, "from-the-file-0123456789"));

        WorkerConfig.Console env = fx.load(
                        toml,
                        Map.of("NEBULA_CONSOLE_TOKEN", "from-the-environment-0123", "NEBULA_CONSOLE_PORT", "9191"),
                        FlagOverrides.none().with(Setting.CONSOLE_BIND, "--bind", "127.0.0.2"))
                .console();
        assertThat(env).isEqualTo(new WorkerConfig.Console(true, "127.0.0.2", 9191, "from-the-environment-0123"));
        assertThat(env.toString()).doesNotContain("from-the-environment").contains("token=***");
    }

    @Test
    void aBadTokenIsRefusedWithoutEchoingIt() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class,
                () -> new ConfigFixture(dir)
                        .load(null, Map.of("NEBULA_CONSOLE_TOKEN", "short secret"), FlagOverrides.none()));

        assertThat(e.key()).isEqualTo("console.token");
        assertThat(e.getMessage())
                .contains("NEBULA_CONSOLE_TOKEN")
                .contains("found a value of 12 characters")
                .contains("at least 16 printable ASCII characters")
                .doesNotContain("short secret");
    }

    @Test
    void aPortOutOfRangeNamesTheKey() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class,
                () -> new ConfigFixture(dir).load("[console]\nport = 70000\n", Map.of(), FlagOverrides.none()));

        assertThat(e.getMessage()).contains("console.port").contains("line 2").contains("70000");
    }
}
