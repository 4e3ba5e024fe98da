package io.nebula.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code [secrets]} section: defaults, the file under the environment, and bad values. */
class SecretsSettingsTest {
    @TempDir
    Path dir;

    @Test
    void byDefaultSecretsComeFromPrefixedVariablesKeptThirtySeconds() {
        WorkerConfig.Secrets s = new ConfigFixture(dir)
                .load(null, Map.of(), FlagOverrides.none())
                .secrets();

        assertThat(s).isEqualTo(WorkerConfig.Secrets.defaults());
        assertThat(s).isEqualTo(new WorkerConfig.Secrets("NEBULA_SECRET_", null, Duration.ofSeconds(30)));
    }

    @Test
    void theFileThenTheEnvironment() {
        String toml = "[secrets]\nenv_prefix = \"APP_SECRET_\"\ndir = \"/run/from-file\"\ncache_seconds = 5\n";
        ConfigFixture fx = new ConfigFixture(dir);

        assertThat(fx.load(toml, Map.of(), FlagOverrides.none()).secrets())
                .isEqualTo(new WorkerConfig.Secrets("APP_SECRET_", "/run/from-file", Duration.ofSeconds(5)));
        assertThat(fx.load(
                                toml,
                                Map.of(
                                        "NEBULA_SECRETS_ENV_PREFIX", "ENV_SECRET_",
                                        "NEBULA_SECRETS_DIR", "/run/from-env",
                                        "NEBULA_SECRETS_CACHE_SECONDS", "0"),
                                FlagOverrides.none())
                        .secrets())
                .isEqualTo(new WorkerConfig.Secrets("ENV_SECRET_", "/run/from-env", Duration.ZERO));
    }

    @Test
    void anEmptyPrefixInTheFileTurnsEnvironmentSecretsOff() {
        WorkerConfig.Secrets s = new ConfigFixture(dir)
                .load("[secrets]\nenv_prefix = \"\"\n", Map.of(), FlagOverrides.none())
                .secrets();

        assertThat(s.envPrefix()).isEmpty();
    }

    @Test
    void aPrefixThatIsNotAVariableNameIsRefusedNamingTheVariable() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class,
                () -> new ConfigFixture(dir)
                        .load(null, Map.of("NEBULA_SECRETS_ENV_PREFIX", "MY-SECRETS"), FlagOverrides.none()));

        assertThat(e.key()).isEqualTo("secrets.env_prefix");
        assertThat(e.getMessage())
                .contains("NEBULA_SECRETS_ENV_PREFIX")
                .contains("MY-SECRETS")
                .contains("letters, digits and _");
    }

    @Test
    void aNegativeOrHugeCacheTimeIsRefusedWithItsLine() {
        ConfigException negative = catchThrowableOfType(
                ConfigException.class,
                () -> new ConfigFixture(dir).load("[secrets]\ncache_seconds = -1\n", Map.of(), FlagOverrides.none()));
        assertThat(negative.getMessage())
                .contains("secrets.cache_seconds")
                .contains("line 2")
                .contains("-1");

        ConfigException huge = catchThrowableOfType(
                ConfigException.class,
                () -> new ConfigFixture(dir)
                        .load(null, Map.of("NEBULA_SECRETS_CACHE_SECONDS", "86401"), FlagOverrides.none()));
        assertThat(huge.getMessage()).contains("NEBULA_SECRETS_CACHE_SECONDS").contains("86401");
    }
}
