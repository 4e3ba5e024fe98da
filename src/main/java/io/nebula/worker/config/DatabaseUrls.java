package io.nebula.worker.config;

import io.nebula.worker.redact.Redaction;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Parses the database location given by {@code DATABASE_URL} or {@code [database] url}.
 *
 * <p>Accepted forms:
 *
 * <ul>
 *   <li>{@code postgres://user:password@host:port/db?sslmode=require} and {@code postgresql://...}:
 *       libpq connection URIs. User, password, host and database are percent-decoded; host
 *       defaults to {@code localhost}, port to 5432; several {@code host:port} pairs separated by
 *       commas and bracketed IPv6 hosts are accepted. See {@link PostgresUrls} for the parameters.
 *   <li>{@code jdbc:postgresql://host:port/db?user=...&password=...} (also {@code
 *       jdbc:postgresql:db}): pgjdbc URLs; parameters are passed to the driver as they are.
 *   <li>{@code sqlite:PATH} for the embedded store. {@code PATH} is a file path, relative to the
 *       working directory unless absolute. An optional {@code //} after the colon is dropped, as in
 *       sqlx: {@code sqlite://data/x.db} is relative and {@code sqlite:///var/x.db} is absolute.
 *       {@code jdbc:sqlite:PATH} is read the same way. In-memory databases are refused: the queue
 *       would lose every execution at exit.
 * </ul>
 *
 * <p>Credentials end up in {@link DatabaseUrl.Postgres#properties()} ({@code user}, {@code
 * password}), never in the JDBC URL string, and no message this class produces contains a password.
 */
public final class DatabaseUrls {
    // Worded so that Redaction (applied to every ConfigException) finds no "user:password@" to mask.
    static final String ACCEPTED = "postgres://host:port/db?sslmode=... or postgresql://... (libpq URL; credentials"
            + " as user:password@ before the host), jdbc:postgresql://host:port/db, or sqlite:PATH";

    private DatabaseUrls() {}

    /** Parses {@code raw}, resolving a relative SQLite path against the current directory. */
    public static DatabaseUrl parse(String raw, Source source) {
        return parse(raw, source, Path.of("").toAbsolutePath());
    }

    /**
     * Parses {@code raw}.
     *
     * @param source where the text came from, named in error messages
     * @param workingDir the directory a relative SQLite path is resolved against
     * @throws ConfigException naming {@code database.url}, the source and the accepted forms
     */
    public static DatabaseUrl parse(String raw, Source source, Path workingDir) {
        String text = raw == null ? "" : raw.strip();
        String lower = text.toLowerCase(Locale.ROOT);
        try {
            if (lower.startsWith("postgres://") || lower.startsWith("postgresql://")) {
                return PostgresUrls.parseLibpq(text);
            }
            if (lower.startsWith("jdbc:postgresql:")) {
                return PostgresUrls.parseJdbc(text);
            }
            if (lower.startsWith("sqlite:")) {
                return sqlite(text.substring("sqlite:".length()), workingDir);
            }
            if (lower.startsWith("jdbc:sqlite:")) {
                return sqlite(text.substring("jdbc:sqlite:".length()), workingDir);
            }
            throw new IllegalArgumentException(
                    text.isEmpty() ? "found an empty URL" : "found an unsupported form " + quote(text));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    Setting.DATABASE_URL.key(),
                    "invalid " + Setting.DATABASE_URL.key() + " from " + source + ": " + e.getMessage() + "; expected "
                            + ACCEPTED);
        }
    }

    private static DatabaseUrl.Sqlite sqlite(String rest, Path workingDir) {
        String p = rest.startsWith("//") ? rest.substring(2) : rest;
        if (p.isEmpty()) {
            throw new IllegalArgumentException("found sqlite: without a file path");
        }
        if (p.startsWith(":memory:") || p.contains("mode=memory")) {
            throw new IllegalArgumentException("found an in-memory SQLite database, which would lose every execution");
        }
        if (p.indexOf('?') >= 0) {
            throw new IllegalArgumentException("found parameters after the SQLite path, which are not supported");
        }
        try {
            return new DatabaseUrl.Sqlite(workingDir.resolve(Path.of(p)).normalize());
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("found an invalid file path " + quote(p));
        }
    }

    /**
     * {@code text} in quotes, with any password masked: everything between {@code ://} and the
     * last {@code @} keeps only the user name.
     */
    static String quote(String text) {
        return "\"" + mask(text) + "\"";
    }

    static String mask(String text) {
        int q = text.indexOf('?');
        String head = q < 0 ? text : text.substring(0, q);
        String tail = q < 0 ? "" : Redaction.redact(text.substring(q));
        int scheme = head.indexOf("://");
        int at = head.lastIndexOf('@');
        if (scheme >= 0 && at > scheme) {
            String userinfo = head.substring(scheme + 3, at);
            int colon = userinfo.indexOf(':');
            String user = colon < 0 ? userinfo : userinfo.substring(0, colon) + ":***";
            head = head.substring(0, scheme + 3) + user + head.substring(at);
        }
        return head + tail;
    }
}
