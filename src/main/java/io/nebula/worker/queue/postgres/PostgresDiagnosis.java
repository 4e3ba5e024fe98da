package io.nebula.worker.queue.postgres;

import io.nebula.worker.queue.DatabaseProblem;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Properties;
import javax.net.ssl.SSLException;
import org.postgresql.Driver;
import org.postgresql.util.PSQLException;

/**
 * Turns pgjdbc's connection failures into {@link DatabaseProblem}s that say what is wrong and what
 * to do, naming the database, user, host and port from the configured URL (never the password).
 * HikariCP reports a failed connection as "Connection is not available, request timed out" with
 * the driver's error as its cause, so the whole cause chain is searched.
 */
final class PostgresDiagnosis {
    private final String where;
    private final String database;
    private final String user;

    /** The target as the driver reads {@code jdbcUrl} and {@code properties}. */
    PostgresDiagnosis(String jdbcUrl, Properties properties) {
        Properties p = Driver.parseURL(jdbcUrl, properties);
        String hosts = p == null ? null : p.getProperty("PGHOST");
        String ports = p == null ? null : p.getProperty("PGPORT");
        this.where = address(hosts, ports);
        this.database = p == null ? "?" : p.getProperty("PGDBNAME", properties.getProperty("user", "?"));
        // pgjdbc, like libpq, connects as the operating system user when the URL names none.
        this.user = properties.getProperty("user", System.getProperty("user.name", "?"));
    }

    /** The configured target, {@code host:port} (several joined by commas). */
    String where() {
        return where;
    }

    /** {@code host:port}, or several joined by commas. */
    private static String address(String hosts, String ports) {
        if (hosts == null) {
            return "localhost:5432";
        }
        String[] h = hosts.split(",");
        String[] p = ports == null ? new String[0] : ports.split(",");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < h.length; i++) {
            b.append(i == 0 ? "" : ",").append(h[i]).append(':').append(i < p.length ? p[i] : "5432");
        }
        return b.toString();
    }

    /**
     * The problem behind {@code e}, or {@code null} when it is not a connection problem we know.
     * Network causes are looked for first: pgjdbc wraps an unknown host in a generic 08001.
     */
    DatabaseProblem diagnose(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            DatabaseProblem p = network(t);
            if (p != null) {
                return p;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PSQLException p && p.getSQLState() != null) {
                DatabaseProblem known = byState(p);
                if (known != null) {
                    return known;
                }
            }
        }
        return null;
    }

    private DatabaseProblem network(Throwable t) {
        if (t instanceof UnknownHostException u) {
            return DatabaseProblem.permanentProblem(
                    "unknown host '" + u.getMessage() + "' (DNS does not know it): fix the host in DATABASE_URL",
                    "unknown database host: fix the host in DATABASE_URL");
        }
        if (t instanceof ConnectException) {
            return DatabaseProblem.transientProblem(
                    "connection refused at " + where + ": is PostgreSQL running and listening there? Check the host"
                            + " and port in DATABASE_URL",
                    "connection to the database refused: is PostgreSQL running? Check the host and port in"
                            + " DATABASE_URL");
        }
        if (t instanceof NoRouteToHostException || t instanceof SocketTimeoutException) {
            return DatabaseProblem.transientProblem(
                    "no answer from " + where + " (" + t.getMessage() + "): check the host, the port and any"
                            + " firewall between here and the database",
                    "no answer from the database: check the host, the port and any firewall");
        }
        if (t instanceof SSLException) {
            return DatabaseProblem.permanentProblem(
                    "TLS with " + where + " failed (" + t.getMessage() + "): check sslmode and the certificates"
                            + " in DATABASE_URL",
                    "TLS with the database failed: check sslmode and the certificates in DATABASE_URL");
        }
        return null;
    }

    private DatabaseProblem byState(PSQLException p) {
        String server = p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getMessage()
                : String.valueOf(p.getMessage());
        return switch (p.getSQLState()) {
            case "3D000" ->
                DatabaseProblem.permanentProblem(
                        "database '" + database + "' does not exist on " + where + ": create it (createdb " + database
                                + ") or fix DATABASE_URL",
                        "database '" + database + "' does not exist: create it or fix DATABASE_URL");
            case "28P01" ->
                DatabaseProblem.permanentProblem(
                        "password authentication failed for user '" + user + "' at " + where
                                + ": fix the password in DATABASE_URL",
                        "password authentication failed for user '" + user + "': fix the password in DATABASE_URL");
            case "28000" ->
                DatabaseProblem.permanentProblem(
                        "the server at " + where + " refused user '" + user + "' (" + server
                                + "): fix the user in DATABASE_URL, or let it in (CREATE ROLE, pg_hba.conf)",
                        "the database refused user '" + user + "': fix the user in DATABASE_URL");
            case "42501" ->
                DatabaseProblem.permanentProblem(
                        "user '" + user + "' lacks a privilege on database '" + database + "' at " + where + " ("
                                + server + "): grant it, or run `nebula-worker migrate` once as a user who has it",
                        "user '" + user
                                + "' lacks a privilege on the database: grant it, or migrate as a user who has it");
            case "57P03" ->
                DatabaseProblem.transientProblem(
                        "the server at " + where + " is starting up or shutting down: waiting for it",
                        "the database is starting up or shutting down");
            case "53300" ->
                DatabaseProblem.transientProblem(
                        "the server at " + where + " has no free connection slots (" + server + "): lower"
                                + " database.max_connections here or raise max_connections on the server",
                        "the database has no free connection slots");
            default -> {
                if (p.getSQLState().startsWith("08")) {
                    String msg = String.valueOf(p.getMessage());
                    if (msg.contains("unsupported startup parameter")) {
                        yield DatabaseProblem.permanentProblem(
                                "the server at " + where + " refused a start-up parameter (" + msg + "), as"
                                        + " PgBouncer does with any it does not know: the worker itself sends none"
                                        + " of those (it names its schema in every statement), so remove"
                                        + " currentSchema, options or the like from DATABASE_URL, or list the"
                                        + " parameter in PgBouncer's ignore_startup_parameters",
                                "the database (a pooler such as PgBouncer) refused a start-up parameter: remove"
                                        + " currentSchema or options from DATABASE_URL");
                    }
                    if (msg.contains("does not support SSL")) {
                        yield DatabaseProblem.permanentProblem(
                                "the server at " + where + " does not accept TLS, but DATABASE_URL asks for it"
                                        + " (sslmode): use sslmode=prefer or disable, or enable TLS on the server",
                                "the database does not accept TLS, but DATABASE_URL asks for it (sslmode)");
                    }
                    yield DatabaseProblem.transientProblem(
                            "cannot connect to " + where + ": " + msg, "cannot connect to the database");
                }
                yield null;
            }
        };
    }
}
