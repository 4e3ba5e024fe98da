package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nebula.worker.queue.postgres.PostgresExecutionStore;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection failures in plain words with the next step, told apart into those waiting cures
 * (connection refused) and those it does not (no such database, unknown role or host, a file that
 * is not a database). Real servers and files, nothing simulated.
 */
class DatabaseProblemsTest {
    @TempDir
    Path tmp;

    private static StoreException probe(String jdbcUrl, String user) {
        Properties p = new Properties();
        p.setProperty("user", user);
        try (ExecutionStore s = PostgresExecutionStore.open(jdbcUrl, p, StoreOptions.defaults("problems"))) {
            return catchThrowableOfType(StoreException.class, s::probe);
        }
    }

    @Test
    void aDatabaseThatDoesNotExistIsPermanentAndNamedWithItsServer() {
        PostgresTestDatabase.require();

        StoreException e = probe("jdbc:postgresql://127.0.0.1:5432/nebula_nope", "postgres");

        assertThat(e.permanent()).isTrue();
        assertThat(e.getMessage())
                .isEqualTo("database 'nebula_nope' does not exist on 127.0.0.1:5432: create it (createdb nebula_nope)"
                        + " or fix DATABASE_URL");
        assertThat(e.publicMessage())
                .isEqualTo("database 'nebula_nope' does not exist: create it or fix DATABASE_URL")
                .doesNotContain("127.0.0.1");
    }

    @Test
    void anUnknownRoleIsPermanent() {
        PostgresTestDatabase.require();

        StoreException e = probe("jdbc:postgresql://127.0.0.1:5432/test", "nebula_nobody");

        assertThat(e.permanent()).isTrue();
        assertThat(e.getMessage())
                .startsWith("the server at 127.0.0.1:5432 refused user 'nebula_nobody' (role \"nebula_nobody\" does not"
                        + " exist)");
    }

    @Test
    void aRefusedConnectionIsTransientAndAnUnknownHostPermanent() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }

        StoreException refused = probe("jdbc:postgresql://127.0.0.1:" + port + "/test", "postgres");
        StoreException unknown = probe("jdbc:postgresql://nebula-no-such-host.invalid:5432/test", "postgres");

        assertThat(refused.permanent()).isFalse();
        assertThat(refused.getMessage())
                .isEqualTo("connection refused at 127.0.0.1:" + port + ": is PostgreSQL running and listening there?"
                        + " Check the host and port in DATABASE_URL");
        assertThat(unknown.permanent()).isTrue();
        assertThat(unknown.getMessage())
                .isEqualTo("unknown host 'nebula-no-such-host.invalid' (DNS does not know it): fix the host in"
                        + " DATABASE_URL");
    }

    @Test
    void aFileThatIsNotADatabaseIsPermanent() throws Exception {
        Path file = tmp.resolve("notes.db");
        Files.writeString(file, "these are notes, not a database".repeat(100));

        StoreException e = catchThrowableOfType(StoreException.class, () -> {
            try (ExecutionStore s = SqliteExecutionStore.open(file, StoreOptions.defaults("problems"))) {
                s.migrate();
            }
        });

        assertThat(e.permanent()).isTrue();
        assertThat(e.getMessage())
                .startsWith("cannot use the SQLite file " + file + " (")
                .contains("fix the path");
        assertThat(e.publicMessage()).doesNotContain(file.toString());
    }
}
