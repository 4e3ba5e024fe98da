package io.nebula.worker.faults;

import io.nebula.worker.queue.PostgresTestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The local PostgreSQL server as a fault target: stop and start it ({@code pg_ctlcluster}, fast or
 * immediate), and terminate chosen backends by {@code application_name}. Only available when the
 * tests use the local cluster on 127.0.0.1:5432 and {@code pg_ctlcluster} exists; callers skip
 * otherwise. Whoever stops the server must call {@link #ensureRunning()} in a {@code finally}: the
 * rest of the suite needs it.
 */
public final class PostgresServer {
    private final String version;

    private PostgresServer(String version) {
        this.version = version;
    }

    /** The local cluster, when this machine has one the tests use and the tools to control it. */
    public static Optional<PostgresServer> local() {
        String url = PostgresTestDatabase.URL;
        if (!(url.contains("//127.0.0.1:5432/") || url.contains("//localhost:5432/"))) {
            return Optional.empty();
        }
        Path etc = Path.of("/etc/postgresql");
        if (!Files.isDirectory(etc) || which("pg_ctlcluster") == null) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(etc)) {
            return versions.map(p -> p.getFileName().toString())
                    .filter(v -> v.matches("\\d+(\\.\\d+)?")
                            && Files.isDirectory(etc.resolve(v).resolve("main")))
                    .max(Comparator.comparingDouble(Double::parseDouble))
                    .map(PostgresServer::new);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Path which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        Path usr = Path.of("/usr/bin", tool);
        return Files.isExecutable(usr) ? usr : null;
    }

    /** Stops the server ({@code fast}: abort sessions, checkpoint; {@code immediate}: crash-like). */
    public void stop(String mode) {
        run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop", "-m", mode);
    }

    public void start() {
        run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start");
        awaitAccepting(Duration.ofSeconds(60));
    }

    /** Starts the server if it is down and waits until it accepts connections. */
    public void ensureRunning() {
        if (!accepting()) {
            try {
                run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start");
            } catch (IllegalStateException e) {
                // already starting; wait below
            }
            awaitAccepting(Duration.ofSeconds(60));
        }
    }

    public boolean accepting() {
        try (Connection c = PostgresTestDatabase.connect()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private void awaitAccepting(Duration max) {
        try {
            org.awaitility.Awaitility.await()
                    .atMost(max)
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions()
                    .until(this::accepting);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new IllegalStateException("PostgreSQL did not accept connections within " + max, e);
        }
    }

    /**
     * Terminates the backends whose {@code application_name} matches {@code pattern} (SQL LIKE);
     * returns the names of the connections it ended.
     */
    public static List<String> terminate(String pattern) {
        List<String> ended = new ArrayList<>();
        try (Connection c = PostgresTestDatabase.connect();
                PreparedStatement ps = c.prepareStatement("SELECT application_name, pg_terminate_backend(pid)"
                        + " FROM pg_stat_activity WHERE application_name LIKE ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, pattern);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(2)) {
                        ended.add(rs.getString(1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot terminate backends " + pattern, e);
        }
        return ended;
    }

    /** The {@code application_name}s of the connections matching {@code pattern}. */
    public static List<String> connections(String pattern) {
        List<String> out = new ArrayList<>();
        try (Connection c = PostgresTestDatabase.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE ?")) {
            ps.setString(1, pattern);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " timed out");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
