package io.nebula.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.redact.Redaction;
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

    @Test
    void httpUrlsInTextLoseTheirUserInfoAndQueryValues() {
        assertThat(Redaction.redact("GET https://bob:pw@api.example/v1/x?token=sk-123&page=2#frag failed"))
                .isEqualTo("GET https://***@api.example/v1/x?token=***&page=*** failed");
        assertThat(Redaction.redact("see http://ghp_abcdef@git.example/r and https://h/p?flag"))
                .isEqualTo("see http://***@git.example/r and https://h/p?***");
        assertThat(Redaction.redact("no url here, a=b")).isEqualTo("no url here, a=b");
    }

    @Test
    void aUrlForAMessageKeepsWhereItGoesAndHidesWhatItCarries() throws Exception {
        assertThat(Redaction.url(new java.net.URI("https://u:p@api.example:8443/v1/items?key=s3cr3t&n=1#x")))
                .isEqualTo("https://***@api.example:8443/v1/items?key=***&n=***");
        assertThat(Redaction.url(new java.net.URI("http://h/p"))).isEqualTo("http://h/p");
        // Authorities java.net.URI reads as registry-based (no host): kept, user information hidden.
        assertThat(Redaction.url(new java.net.URI("http://127.1/x?t=1"))).isEqualTo("http://127.1/x?t=***");
        assertThat(Redaction.url(new java.net.URI("http://u:p@a_b:80/"))).isEqualTo("http://***@a_b:80/");
        assertThat(Redaction.body(0, null)).isEqualTo("empty body");
        assertThat(Redaction.body(57, "application/json; charset=utf-8")).isEqualTo("57-byte body of application/json");
    }

    @Test
    void knownSecretsAreMaskedWhereverTheyAppearLongestFirst() {
        Redaction.Secrets s = Redaction.Secrets.of(java.util.List.of("Bearer sk-live-42\n", "sk-live-42", "no", "x"));

        assertThat(s.mask("header was Bearer sk-live-42 and again sk-live-42; no change to no"))
                .isEqualTo("header was *** and again ***; no change to no");
        assertThat(Redaction.Secrets.none().mask("sk-live-42")).isEqualTo("sk-live-42");
        assertThat(s.and(java.util.List.of("other-secret")).mask("other-secret"))
                .isEqualTo("***");
    }
}
