package io.nebula.worker.config;

import java.nio.file.Path;
import java.util.Properties;

/**
 * A parsed database location. {@link #toString()} never shows a password.
 *
 * <p>Accepted forms: {@code postgres://user:pass@host:port/db?sslmode=...},
 * {@code postgresql://...}, {@code jdbc:postgresql://...}, and {@code sqlite:PATH} for the
 * embedded store.
 */
public sealed interface DatabaseUrl {

    /** The URL as it can be shown: passwords replaced by {@code ***}. */
    String redacted();

    /** A PostgreSQL database. */
    record Postgres(String jdbcUrl, Properties properties, String redacted) implements DatabaseUrl {
        @Override
        public String toString() {
            return redacted;
        }
    }

    /** An embedded SQLite file. */
    record Sqlite(Path file) implements DatabaseUrl {
        @Override
        public String redacted() {
            return "sqlite:" + file;
        }

        @Override
        public String toString() {
            return redacted();
        }
    }
}
