package io.nebula.worker.config;

import java.nio.file.Path;
import java.util.Properties;

/**
 * A parsed database location. {@link #toString()} never shows a password.
 *
 * <p>Accepted forms: {@code postgres://user:pass@host:port/db?sslmode=...},
 * {@code postgresql://...}, {@code jdbc:postgresql://...}, and {@code sqlite:PATH} for the
 * embedded store. {@link DatabaseUrls#parse} builds one from text and documents each form.
 */
public sealed interface DatabaseUrl {

    /** The URL as it can be shown: passwords replaced by {@code ***}. */
    String redacted();

    /**
     * A PostgreSQL database.
     *
     * @param jdbcUrl hosts, ports and database only; never credentials or other parameters
     * @param properties driver properties: {@code user}, {@code password}, {@code sslmode}, ...;
     *     each call to {@link #properties()} returns a fresh copy, so callers may add their own
     * @param redacted the URL as given, with passwords replaced by {@code ***}
     */
    record Postgres(String jdbcUrl, Properties properties, String redacted) implements DatabaseUrl {
        public Postgres {
            properties = copy(properties);
        }

        @Override
        public Properties properties() {
            return copy(properties);
        }

        private static Properties copy(Properties p) {
            Properties out = new Properties();
            p.stringPropertyNames().forEach(k -> out.setProperty(k, p.getProperty(k)));
            return out;
        }

        @Override
        public String toString() {
            return redacted;
        }
    }

    /**
     * An embedded SQLite file.
     *
     * @param file an absolute, normalised path
     */
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
