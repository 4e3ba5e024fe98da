package io.nebula.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's configuration table lists every key with the default the loader really uses. */
class ReadmeTableTest {
    @Test
    void everyKeyIsDocumentedWithItsDefault() throws Exception {
        String readme = Files.readString(ExampleConfigTest.projectDir().resolve("README.md"));

        for (Setting s : Setting.values()) {
            String row = readme.lines()
                    .filter(l -> l.startsWith("| `" + s.key() + "` |"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("README has no row for " + s.key()));
            assertThat(row).as(s.key()).contains(documentedDefault(s));
            s.env().ifPresent(env -> assertThat(row).as(s.key()).contains("`" + env + "`"));
        }
    }

    private static String documentedDefault(Setting s) {
        Object d = s.defaultValue();
        if (d == null) {
            return s == Setting.WORKER_ID ? "`<hostname>-<pid>`" : "| none |";
        }
        if (d instanceof List<?> list) {
            return "`[\""
                    + String.join("\", \"", list.stream().map(String::valueOf).toList()) + "\"]`";
        }
        return d instanceof String str ? "`\"" + str + "\"`" : "`" + d + "`";
    }

    @Test
    void architecturePageExists() {
        assertThat(ExampleConfigTest.projectDir().resolve(Path.of("docs", "ARCHITECTURE.md")))
                .exists();
    }
}
