package io.nebula.worker.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.DatabaseProblem;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The server errors this machine's PostgreSQL cannot produce (it trusts every local connection, so
 * no password is ever checked), built as pgjdbc builds them from the server's error fields. The
 * failures a real server can produce here are in {@code DatabaseProblemsTest}.
 */
class PostgresDiagnosisTest {
    private static final String URL = "jdbc:postgresql://db.internal:6432/orders";

    private static PSQLException serverError(String state, String message) {
        return new PSQLException(new ServerErrorMessage("SFATAL\0C" + state + "\0M" + message + "\0"));
    }

    private static DatabaseProblem diagnose(Throwable failure) {
        Properties p = new Properties();
        p.setProperty("user", "app");
        p.setProperty("password", "s3cret-canary");
        return new PostgresDiagnosis(URL, p).diagnose(failure);
    }

    @Test
    void aWrongPasswordIsPermanentAndSaidInWordsWithoutThePassword() {
        PSQLException refused = serverError("28P01", "password authentication failed for user \"app\"");

        DatabaseProblem problem = diagnose(new SQLException("Connection is not available", refused));

        assertThat(problem).isNotNull();
        assertThat(problem.permanent()).isTrue();
        assertThat(problem.message())
                .isEqualTo("password authentication failed for user 'app' at db.internal:6432: fix the password in"
                        + " DATABASE_URL");
        assertThat(problem.publicMessage())
                .isEqualTo("password authentication failed for user 'app': fix the password in DATABASE_URL");
        assertThat(problem.message() + problem.publicMessage()).doesNotContain("s3cret-canary");
    }

    @Test
    void anErrorThatIsNotAboutTheConnectionIsLeftToTheCaller() {
        assertThat(diagnose(serverError("22P02", "invalid input syntax for type bigint")))
                .isNull();
    }
}
