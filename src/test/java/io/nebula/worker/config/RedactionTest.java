package io.nebula.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database password never shows in the configuration's text forms or in error messages. */
class RedactionTest {
    private static final String SECRET = "Tr0ub4dor&3";
    private static final String URL = "postgres://app:Tr0ub4dor%263@db:5432/nebula?sslmode=require";

    @TempDir
    Path dir;

    @Test
    void configToStringShowsTheRedactedUrl() {
        WorkerConfig config = new ConfigFixture(dir).load(null, Map.of("DATABASE_URL", URL), FlagOverrides.none());

        assertThat(config.toString())
                .contains("postgres://app:***@db:5432/nebula?sslmode=require")
                .doesNotContain(SECRET)
                .doesNotContain("Tr0ub4dor%263");
        assertThat(config.database().toString()).doesNotContain("Tr0ub4dor");
        assertThat(((DatabaseUrl.Postgres) config.database().url()).properties())
                .containsEntry("password", SECRET);
    }

    @Test
    void errorsAboutOtherKeysNeverQuoteTheUrl() {
        ConfigFixture fx = new ConfigFixture(dir);
        Map<String, String> env = Map.of("DATABASE_URL", URL, "WORKER_CONCURRENCY", "0");

        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                ConfigException.class, () -> fx.load(null, env, FlagOverrides.none()));

        assertThat(e.getMessage()).doesNotContain("Tr0ub4dor");
    }

    @Test
    void exceptionMessagesAreRedactedOnConstruction() {
        ConfigException e =
                new ConfigException("k", "driver said: cannot reach postgres://u:pw123@h/db?password=pw456");

        assertThat(e.getMessage()).doesNotContain("pw123").doesNotContain("pw456");
    }

    @Test
    void redactionMasksUserinfoAndPasswordParameters() {
        assertThat(Redaction.redact("jdbc:postgresql://h/db?user=a&password=x1&sslpassword=x2"))
                .isEqualTo("jdbc:postgresql://h/db?user=a&password=***&sslpassword=***");
        assertThat(Redaction.redact("see postgres://a:b@h/db")).isEqualTo("see postgres://a:***@h/db");
        assertThat(DatabaseUrls.mask("postgres://a:p@ss/w@h/db")).isEqualTo("postgres://a:***@h/db");
    }
}
