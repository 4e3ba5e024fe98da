package io.nebula.worker.testing;

import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/**
 * A database of a test's own: a fresh schema on the local PostgreSQL ({@link #postgres()},
 * dropped by {@link #close()}) or a fresh SQLite file ({@link #sqlite(Path)}, in the test's
 * folder). It gives what every kind of test needs of it: the in-process {@link #config()}, the
 * {@link #databaseUrl()} and {@link #schema()} a worker process or operator command is pointed at,
 * a migrated {@link #store()} in the test JVM and raw JDBC {@link #connect() connections}.
 */
public abstract sealed class TestDatabase implements AutoCloseable {
    private ExecutionStore store;

    /** A fresh schema on the local PostgreSQL; skips the test (fails it in CI) when unreachable. */
    public static TestDatabase postgres() {
        PostgresTestDatabase.require();
        return new Postgres(PostgresTestDatabase.newSchema());
    }

    /** A fresh SQLite database at {@code file} (its folder is created). */
    public static TestDatabase sqlite(Path file) {
        return new Sqlite(file.toAbsolutePath());
    }

    /** {@code "postgres"} or {@code "sqlite"}. */
    public abstract String dialect();

    /** In-process worker configuration on this database ({@link TestConfigs}: short timings). */
    public abstract WorkerConfig config();

    /** The {@code DATABASE_URL} value that reaches this database (credentials as parameters). */
    public abstract String databaseUrl();

    /** The PostgreSQL schema ({@code database.schema}), or {@code null} on SQLite. */
    public abstract String schema();

    /** Opens a new store on this database (not migrated; the caller closes it). */
    public abstract ExecutionStore open(StoreOptions options);

    /** A new JDBC connection to this database (on PostgreSQL with the schema as search path). */
    public abstract Connection connect() throws SQLException;

    /** The store of the test JVM, opened and migrated on first use, closed by {@link #close()}. */
    public synchronized ExecutionStore store() {
        if (store == null) {
            String client = schema() == null ? "nebula-test" : "nebula-test/" + schema();
            store = open(StoreOptions.defaults(client).withMaxConnections(3));
            store.migrate();
        }
        return store;
    }

    /** Closes the store; on PostgreSQL drops the schema. */
    @Override
    public synchronized void close() {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    @Override
    public String toString() {
        return dialect() + (schema() == null ? "" : " " + schema());
    }

    private static final class Postgres extends TestDatabase {
        private final String schema;

        Postgres(String schema) {
            this.schema = schema;
        }

        @Override
        public String dialect() {
            return "postgres";
        }

        @Override
        public WorkerConfig config() {
            return TestConfigs.postgres(PostgresTestDatabase.URL, PostgresTestDatabase.properties(), schema);
        }

        @Override
        public String databaseUrl() {
            String url = PostgresTestDatabase.URL;
            return url + (url.contains("?") ? "&" : "?") + "user=" + PostgresTestDatabase.USER;
        }

        @Override
        public String schema() {
            return schema;
        }

        @Override
        public ExecutionStore open(StoreOptions options) {
            return PostgresTestDatabase.open(schema, options);
        }

        @Override
        public Connection connect() throws SQLException {
            Connection c = PostgresTestDatabase.connect();
            try (Statement st = c.createStatement()) {
                st.execute("SET search_path TO \"" + schema + "\"");
            }
            return c;
        }

        @Override
        public synchronized void close() {
            try {
                super.close();
            } finally {
                PostgresTestDatabase.dropSchema(schema);
            }
        }
    }

    private static final class Sqlite extends TestDatabase {
        private final Path file;

        Sqlite(Path file) {
            this.file = file;
            try {
                Files.createDirectories(file.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The database file. */
        Path file() {
            return file;
        }

        @Override
        public String dialect() {
            return "sqlite";
        }

        @Override
        public WorkerConfig config() {
            return TestConfigs.sqlite(file);
        }

        @Override
        public String databaseUrl() {
            return "sqlite:" + file;
        }

        @Override
        public String schema() {
            return null;
        }

        @Override
        public ExecutionStore open(StoreOptions options) {
            return SqliteExecutionStore.open(file, options);
        }

        @Override
        public Connection connect() throws SQLException {
            SQLiteConfig c = new SQLiteConfig();
            c.setBusyTimeout(15_000);
            return DriverManager.getConnection("jdbc:sqlite:" + file, c.toProperties());
        }
    }
}
