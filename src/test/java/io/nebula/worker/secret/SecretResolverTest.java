package io.nebula.worker.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.redact.Redaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretResolverTest {
    @TempDir
    Path dir;

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void theEnvironmentIsReadOnlyThroughThePrefix() throws Exception {
        Map<String, String> env = Map.of("NEBULA_SECRET_TOKEN", "env-token-1", "DATABASE_URL", "postgres://x");
        SecretResolver r = new SecretResolver(List.of(new EnvSecrets("NEBULA_SECRET_", env::get)), Duration.ZERO);

        assertThat(r.resolve(List.of("TOKEN"))).containsExactly(Map.entry("TOKEN", "env-token-1"));
        assertThatThrownBy(() -> r.resolve("DATABASE_URL"))
                .isInstanceOf(SecretUnavailable.class)
                .hasMessage("secret 'DATABASE_URL' is not set: looked for environment variable"
                        + " NEBULA_SECRET_DATABASE_URL");
    }

    @Test
    void filesAreReadWithOneTrailingLineBreakDroppedAndEmptyOnesCountAsMissing() throws Exception {
        Files.writeString(dir.resolve("TOKEN"), "file-token\n");
        Files.writeString(dir.resolve("TWO_LINES"), "line one\nline two\r\n");
        Files.writeString(dir.resolve("EMPTY"), "");
        SecretResolver r = new SecretResolver(List.of(new FileSecrets(dir)), Duration.ZERO);

        assertThat(r.resolve("TOKEN")).isEqualTo("file-token");
        assertThat(r.resolve("TWO_LINES")).isEqualTo("line one\nline two");
        assertThat(r.missing(List.of("TOKEN", "EMPTY", "NONE")))
                .containsExactly(
                        "secret 'EMPTY' is not set: looked for file " + dir.resolve("EMPTY"),
                        "secret 'NONE' is not set: looked for file " + dir.resolve("NONE"));
    }

    @Test
    void providersAreAskedInOrderAndTheFirstThatHasTheNameAnswers() throws Exception {
        Files.writeString(dir.resolve("BOTH"), "from-the-file");
        Files.writeString(dir.resolve("FILE_ONLY"), "only-in-the-file");
        Map<String, String> env = Map.of("S_BOTH", "from-the-env");
        SecretResolver r = new SecretResolver(
                List.of(new EnvSecrets("S_", env::get), new FileSecrets(dir), new PluginSecrets()), Duration.ZERO);

        assertThat(r.resolve("BOTH")).isEqualTo("from-the-env");
        assertThat(r.resolve("FILE_ONLY")).isEqualTo("only-in-the-file");
        assertThat(r.resolve(PluginSecrets.NAME)).isEqualTo(PluginSecrets.VALUE);
        assertThatThrownBy(() -> r.resolve("NOWHERE")).isInstanceOfSatisfying(SecretUnavailable.class, e -> {
            assertThat(e.retryable()).isFalse();
            assertThat(e.secret()).isEqualTo("NOWHERE");
            assertThat(e.getMessage())
                    .isEqualTo("secret 'NOWHERE' is not set: looked for environment variable S_NOWHERE, file "
                            + dir.resolve("NOWHERE") + ", test store entry NOWHERE");
        });
    }

    @Test
    void aProviderThatCannotAnswerMakesARetryableFailureAndIsNotReportedMissing() {
        SecretResolver r = new SecretResolver(List.of(new PluginSecrets()), Duration.ZERO);

        assertThatThrownBy(() -> r.resolve(PluginSecrets.BROKEN)).isInstanceOfSatisfying(SecretUnavailable.class, e -> {
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage())
                    .isEqualTo("secret 'PLUGIN_BROKEN' could not be read from the test-plugin provider:"
                            + " the test store is unreachable");
        });
        assertThat(r.missing(List.of(PluginSecrets.BROKEN))).isEmpty();
    }

    @Test
    void aRotatedFileIsReadAgainOnceItsCacheEntryExpires() throws Exception {
        Path file = dir.resolve("ROTATED");
        Files.writeString(file, "first-value");
        CountingFiles files = new CountingFiles(dir);
        SecretResolver r = new SecretResolver(List.of(files), Duration.ofSeconds(30), nanos::get);

        assertThat(r.resolve("ROTATED")).isEqualTo("first-value");
        Files.writeString(file, "second-value");
        nanos.addAndGet(Duration.ofSeconds(29).toNanos());
        assertThat(r.resolve("ROTATED")).as("still cached").isEqualTo("first-value");
        assertThat(files.reads.get()).isEqualTo(1);

        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(r.resolve("ROTATED")).as("cache expired: read again").isEqualTo("second-value");
        assertThat(files.reads.get()).isEqualTo(2);
    }

    @Test
    void withoutACacheEveryResolveReadsAndAMissingNameIsFoundOnceItIsSet() throws Exception {
        CountingFiles files = new CountingFiles(dir);
        SecretResolver r = new SecretResolver(List.of(files), Duration.ofMinutes(5), nanos::get);

        assertThat(r.missing(List.of("LATE"))).hasSize(1);
        Files.writeString(dir.resolve("LATE"), "set-later");
        assertThat(r.resolve("LATE")).as("misses are not cached").isEqualTo("set-later");

        SecretResolver uncached = new SecretResolver(List.of(files), Duration.ZERO, nanos::get);
        int before = files.reads.get();
        uncached.resolve("LATE");
        uncached.resolve("LATE");
        assertThat(files.reads.get() - before).isEqualTo(2);
    }

    @Test
    void aResolvedValueIsMaskedEverywhereThisProcessRedacts() throws Exception {
        String value = "resolved-" + UUID.randomUUID();
        SecretResolver r = new SecretResolver(List.of(new EnvSecrets("X_", Map.of("X_V", value)::get)), Duration.ZERO);
        String line = "calling with " + value + " and \"" + value + "\"";
        assertThat(Redaction.redact(line)).as("before it was resolved").contains(value);

        r.resolve("V");

        assertThat(Redaction.redact(line)).isEqualTo("calling with *** and \"***\"");
        assertThat(Redaction.hideSecrets("{\"t\":\"" + value + "\"}")).isEqualTo("{\"t\":\"***\"}");
    }

    @Test
    void aValueWithControlCharactersIsFoundInJsonAsTheWorkerWritesIt() throws Exception {
        String value = "ctl-" + UUID.randomUUID() + "\u001b\b\f\u0001\"";
        new SecretResolver(List.of(new EnvSecrets("C_", Map.of("C_V", value)::get)), Duration.ZERO).resolve("V");
        String written = io.nebula.worker.json.Json.MAPPER.writeValueAsString(java.util.Map.of("t", value));

        assertThat(Redaction.holdsSecret(written)).as(written).isTrue();
        assertThat(Redaction.hideSecrets(written)).isEqualTo("{\"t\":\"***\"}");
    }

    @Test
    void filesOutsideTheFolderAreNeverRead() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("OUTSIDE"), "outside");
        Files.writeString(folder.resolve(".hidden"), "hidden");
        FileSecrets files = new FileSecrets(folder);
        assertThat(files.lookup("../OUTSIDE")).isEmpty();
        assertThat(files.lookup(".hidden")).isEmpty();
        assertThat(SecretNames.valid("PAYMENT_TOKEN")).isTrue();
        assertThat(SecretNames.valid("tls.crt")).isTrue();
        assertThat(SecretNames.valid("a/b")).isFalse();
        assertThat(SecretNames.valid("..")).isFalse();
    }

    @Test
    void anEmptyEnvironmentPrefixIsRefused() {
        assertThatThrownBy(() -> new EnvSecrets("", Map.<String, String>of()::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be empty");
    }

    /** The files provider, counting its reads. */
    private static final class CountingFiles implements SecretProvider {
        private final FileSecrets files;
        final AtomicInteger reads = new AtomicInteger();

        CountingFiles(Path dir) {
            this.files = new FileSecrets(dir);
        }

        @Override
        public String name() {
            return "files";
        }

        @Override
        public java.util.Optional<String> lookup(String name) throws SecretException {
            reads.incrementAndGet();
            return files.lookup(name);
        }
    }
}
