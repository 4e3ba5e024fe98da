package io.nebula.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlsTest {
    private static final Path WORK = Path.of("/srv/nebula");
    private static final Source SRC = Source.env("DATABASE_URL");

    private static DatabaseUrl.Postgres pg(String raw) {
        return (DatabaseUrl.Postgres) DatabaseUrls.parse(raw, SRC, WORK);
    }

    private static ConfigException bad(String raw) {
        return catchThrowableOfType(ConfigException.class, () -> DatabaseUrls.parse(raw, SRC, WORK));
    }

    @Test
    void libpqUrlPutsCredentialsInPropertiesNotInTheJdbcUrl() {
        DatabaseUrl.Postgres url = pg("postgres://app:s3cret@db.internal:6432/orders?sslmode=require");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/orders");
        assertThat(url.properties())
                .containsEntry("user", "app")
                .containsEntry("password", "s3cret")
                .containsEntry("sslmode", "require");
        assertThat(url.redacted()).isEqualTo("postgres://app:***@db.internal:6432/orders?sslmode=require");
        assertThat(url.toString()).isEqualTo(url.redacted()).doesNotContain("s3cret");
    }

    @Test
    void postgresqlSchemeWithDefaultsForHostAndPort() {
        DatabaseUrl.Postgres url = pg("postgresql:///nebula");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/nebula");
        assertThat(url.properties()).isEmpty();
    }

    @Test
    void hostWithoutPortOrDatabase() {
        assertThat(pg("postgres://db").jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/");
    }

    @Test
    void percentEncodedSpecialCharactersInUserAndPasswordAreDecoded() {
        DatabaseUrl.Postgres url = pg("postgres://us%40er:p%40ss%3Aw%2Fo%23rd%25%20%C3%A9+@host/db");

        assertThat(url.properties()).containsEntry("user", "us@er").containsEntry("password", "p@ss:w/o#rd% é+");
        assertThat(url.redacted()).isEqualTo("postgres://us%40er:***@host/db").doesNotContain("p%40ss");
    }

    @Test
    void unencodedAtSignInThePasswordStillParses() {
        DatabaseUrl.Postgres url = pg("postgres://app:p@ss@host/db");

        assertThat(url.properties()).containsEntry("password", "p@ss");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://host:5432/db");
        assertThat(url.redacted()).doesNotContain("p@ss");
    }

    @Test
    void ipv6HostStaysBracketed() {
        assertThat(pg("postgres://u:p@[::1]:5433/db").jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/db");
        assertThat(pg("postgres://[2001:db8::7]/db").jdbcUrl()).isEqualTo("jdbc:postgresql://[2001:db8::7]:5432/db");
    }

    @Test
    void multipleHostsAreKeptInOrderWithDefaultPorts() {
        assertThat(pg("postgresql://a:5432,b,[::1]:7000/db?target_session_attrs=read-write")
                        .jdbcUrl())
                .isEqualTo("jdbc:postgresql://a:5432,b:5432,[::1]:7000/db");
        assertThat(pg("postgresql://a,b/db?target_session_attrs=read-write").properties())
                .containsEntry("targetServerType", "primary");
    }

    @Test
    void libpqParametersAreMappedToDriverNamesAndOthersPassThrough() {
        Properties p = pg("postgres://h/db?sslmode=verify-full&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pem"
                        + "&application_name=my%20app&connect_timeout=7&options=-c%20search_path%3Dx&keepalives=1")
                .properties();

        assertThat(p)
                .containsEntry("sslmode", "verify-full")
                .containsEntry("sslrootcert", "/ca.pem")
                .containsEntry("sslcert", "/c.pem")
                .containsEntry("sslkey", "/k.pem")
                .containsEntry("ApplicationName", "my app")
                .containsEntry("connectTimeout", "7")
                .containsEntry("options", "-c search_path=x")
                .containsEntry("tcpKeepAlive", "true");
    }

    @Test
    void passwordAndUserMayBeQueryParametersAndAreRedacted() {
        DatabaseUrl.Postgres url = pg("postgresql://h/db?user=app&password=hunter2&sslpassword=keypass");

        assertThat(url.properties()).containsEntry("user", "app").containsEntry("password", "hunter2");
        assertThat(url.redacted())
                .isEqualTo("postgresql://h/db?user=app&password=***&sslpassword=***")
                .doesNotContain("hunter2")
                .doesNotContain("keypass");
    }

    @Test
    void dbnameHostAndPortParametersOverrideTheUri() {
        assertThat(pg("postgres:///?host=other&port=6000&dbname=x").jdbcUrl())
                .isEqualTo("jdbc:postgresql://other:6000/x");
    }

    @Test
    void jdbcUrlMovesUserAndPasswordOutOfTheUrl() {
        DatabaseUrl.Postgres url =
                pg("jdbc:postgresql://db:5432/nebula?user=app&password=pw%21&ssl=true&sslmode=require");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/nebula");
        assertThat(url.properties())
                .containsEntry("user", "app")
                .containsEntry("password", "pw!")
                .containsEntry("ssl", "true")
                .containsEntry("sslmode", "require");
        assertThat(url.redacted())
                .isEqualTo("jdbc:postgresql://db:5432/nebula?user=app&password=***&ssl=true&sslmode=require");
    }

    @Test
    void jdbcShortFormMeansTheLocalHost() {
        assertThat(pg("jdbc:postgresql:nebula").jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/nebula");
    }

    @Test
    void jdbcUrlsAreAcceptedByTheDriver() throws Exception {
        DatabaseUrl.Postgres url = pg("postgres://u:p@[::1]:5433,db2/my%20db?sslmode=disable");

        Properties parsed = org.postgresql.Driver.parseURL(url.jdbcUrl(), url.properties());

        assertThat(parsed).isNotNull();
        assertThat(parsed.getProperty("PGDBNAME")).isEqualTo("my db");
        assertThat(parsed.getProperty("PGHOST")).isEqualTo("[::1],db2");
    }

    @Test
    void sqliteRelativePathResolvesAgainstTheWorkingDirectory() {
        assertThat(DatabaseUrls.parse("sqlite:./data/nebula.db", SRC, WORK))
                .isEqualTo(new DatabaseUrl.Sqlite(Path.of("/srv/nebula/data/nebula.db")));
        assertThat(DatabaseUrls.parse("sqlite:data/x.db", SRC, WORK))
                .isEqualTo(new DatabaseUrl.Sqlite(Path.of("/srv/nebula/data/x.db")));
        assertThat(DatabaseUrls.parse("sqlite://data/x.db", SRC, WORK))
                .isEqualTo(new DatabaseUrl.Sqlite(Path.of("/srv/nebula/data/x.db")));
    }

    @Test
    void sqliteAbsolutePathInEveryForm() {
        DatabaseUrl expected = new DatabaseUrl.Sqlite(Path.of("/var/lib/nebula/q.db"));

        assertThat(DatabaseUrls.parse("sqlite:/var/lib/nebula/q.db", SRC, WORK)).isEqualTo(expected);
        assertThat(DatabaseUrls.parse("sqlite:///var/lib/nebula/q.db", SRC, WORK))
                .isEqualTo(expected);
        assertThat(DatabaseUrls.parse("jdbc:sqlite:/var/lib/nebula/q.db", SRC, WORK))
                .isEqualTo(expected);
        assertThat(expected.redacted()).isEqualTo("sqlite:/var/lib/nebula/q.db");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite:", "sqlite::memory:", "sqlite:x.db?mode=ro", "", "mysql://h/db", "data/nebula.db"})
    void unusableFormsAreRejectedNamingTheAcceptedOnes(String raw) {
        ConfigException e = bad(raw);

        assertThat(e.key()).isEqualTo("database.url");
        assertThat(e.getMessage())
                .startsWith("invalid database.url from env DATABASE_URL: ")
                .endsWith("expected " + DatabaseUrls.ACCEPTED);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "postgres://u:topsecret@h:0/db",
                "postgres://u:topsecret@h:99999/db",
                "postgres://u:topsecret@h:x/db",
                "postgres://u:topsecret@[::1/db",
                "postgres://u:topsecret@bad%zzhost/db",
                "postgres://u:topsecret@h/db?sslmode=sometimes",
                "postgres://u:topsecret@h/db?connect_timeout=soon",
                "postgres://u:topsecret@h/db?host=%2Fvar%2Frun%2Fpostgresql",
                "postgres://u:topsecret@bad host/db",
                "postgres://u:top%ZZsecret@h/db"
            })
    void malformedPostgresUrlsAreRejectedWithoutThePassword(String raw) {
        ConfigException e = bad(raw);

        assertThat(e.getMessage())
                .contains("database.url")
                .contains("expected postgres://")
                .doesNotContain("topsecret");
        assertThat(e.getMessage()).doesNotContain("top%ZZsecret");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "postgres://app:top?secret@db:5432/nebula",
                "postgres://app:topsec?ret@db/nebula?sslmode=require",
                "jdbc:postgresql://app:top?secret@db/nebula",
                "postgres://top?secret@db/nebula"
            })
    void aQuestionMarkInThePasswordIsReportedWithoutAnyPartOfIt(String raw) {
        ConfigException e = bad(raw);

        assertThat(e.getMessage())
                .contains("a '?' inside the user name or password must be written %3F")
                .doesNotContain("top")
                .doesNotContain("secret")
                .doesNotContain("ret@");
    }

    @Test
    void sslModeValuesFollowLibpq() {
        assertThat(bad("postgres://h/db?sslmode=true").getMessage())
                .contains("sslmode=true, which is not one of disable, allow, prefer, require, verify-ca, verify-full");
    }

    @Test
    void propertiesAreCopiedSoCallersCannotChangeTheConfig() {
        DatabaseUrl.Postgres url = pg("postgres://u:p@h/db");
        url.properties().setProperty("password", "changed");

        assertThat(url.properties()).containsEntry("password", "p");
    }
}
