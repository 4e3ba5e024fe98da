package io.nebula.worker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's PgBouncer in transaction pooling, started by a test on a free port in front of the
 * local PostgreSQL, with its ini file, user list and log in a folder of its own. Started as root
 * it drops to {@code nobody} ({@code -u}), as PgBouncer refuses to run as root. {@link #close()}
 * stops only the process it started and removes its folder. With {@code CI=true} a missing
 * {@code pgbouncer} fails the test instead of skipping it.
 */
public final class PgBouncer implements AutoCloseable {
    /** Where Debian installs it. */
    public static final Path BINARY = Path.of("/usr/sbin/pgbouncer");

    private final Path dir;
    private final int port;
    private final Process process;

    private PgBouncer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Skips (or, in CI, fails) when PgBouncer is not installed. */
    public static void require() {
        if (Files.isExecutable(BINARY)) {
            return;
        }
        String why = "PgBouncer is not installed at " + BINARY + " (apt-get install pgbouncer)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(why + "; .ci/run installs it");
        }
        Assumptions.abort(why);
    }

    /**
     * Starts PgBouncer in transaction pooling for the database {@code database} on {@code
     * host:port}, trusting every user, plus one entry per {@code extraDatabases} value (name to
     * the {@code [databases]} line's options, e.g. a {@code connect_query}), at most {@code
     * poolSize} server connections per database and user.
     */
    public static PgBouncer start(
            String host, int pgPort, String database, int poolSize, Map<String, String> extraDatabases) {
        require();
        try {
            Path dir = Files.createTempDirectory("nebula-pgbouncer-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            int port = freePort();
            StringBuilder dbs = new StringBuilder("[databases]\n");
            dbs.append(database)
                    .append(" = host=")
                    .append(host)
                    .append(" port=")
                    .append(pgPort)
                    .append(" dbname=")
                    .append(database)
                    .append('\n');
            extraDatabases.forEach((name, opts) -> dbs.append(name)
                    .append(" = host=")
                    .append(host)
                    .append(" port=")
                    .append(pgPort)
                    .append(" dbname=")
                    .append(database)
                    .append(' ')
                    .append(opts)
                    .append('\n'));
            String ini = dbs + "[pgbouncer]\n"
                    + "listen_addr = 127.0.0.1\n"
                    + "listen_port = " + port + "\n"
                    + "unix_socket_dir =\n"
                    + "auth_type = trust\n"
                    + "admin_users = postgres\n"
                    + "auth_file = " + dir.resolve("userlist.txt") + "\n"
                    + "pool_mode = transaction\n"
                    + "default_pool_size = " + poolSize + "\n"
                    + "max_client_conn = 500\n"
                    + "server_lifetime = 3600\n"
                    + "logfile = " + dir.resolve("pgbouncer.log") + "\n"
                    + "pidfile = " + dir.resolve("pgbouncer.pid") + "\n";
            Files.writeString(dir.resolve("pgbouncer.ini"), ini);
            Files.writeString(dir.resolve("userlist.txt"), "\"postgres\" \"\"\n");
            for (String f : List.of("pgbouncer.ini", "userlist.txt")) {
                Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rw-r--r--"));
            }
            List<String> command = new ArrayList<>(List.of(BINARY.toString()));
            if ("root".equals(System.getProperty("user.name"))) {
                command.addAll(List.of("-u", "nobody"));
            }
            command.add(dir.resolve("pgbouncer.ini").toString());
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.txt").toFile())
                    .start();
            PgBouncer b = new PgBouncer(dir, port, p);
            try {
                Awaitility.await("PgBouncer listening on " + port)
                        .atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> {
                            if (!p.isAlive()) {
                                throw new AssertionError("PgBouncer exited with " + p.exitValue() + ":\n" + b.log());
                            }
                            return accepts(port);
                        });
            } catch (RuntimeException | AssertionError e) {
                b.close();
                throw e;
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PgBouncer", e);
        }
    }

    /** PgBouncer in front of the test database ({@code 127.0.0.1:5432/test}). */
    public static PgBouncer inFrontOfTestDatabase(Map<String, String> extraDatabases) {
        return start("127.0.0.1", 5432, "test", 10, extraDatabases);
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of {@code database} through this PgBouncer. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /**
     * Runs a command on PgBouncer's admin console ({@code PAUSE test}, {@code RESUME test},
     * {@code SHOW POOLS}) through {@code psql} (the console speaks only the simple protocol, and
     * refuses what the JDBC driver sends at login) and returns its rows, columns separated by
     * {@code |}.
     */
    public List<String> admin(String command) {
        try {
            Process p = new ProcessBuilder(
                            "psql",
                            "-X",
                            "-A",
                            "-t",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            Integer.toString(port),
                            "-U",
                            "postgres",
                            "-d",
                            "pgbouncer",
                            "-c",
                            command)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("PgBouncer's admin console refused " + command + ": " + out);
            }
            return out.lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run psql", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Clients of {@code database} waiting for a server connection now ({@code SHOW POOLS}, {@code cl_waiting}). */
    public int waitingClients(String database) {
        // Columns: database, user, cl_active, cl_waiting, ...
        int waiting = 0;
        for (String row : admin("SHOW POOLS")) {
            String[] cols = row.split("\\|", -1);
            if (cols.length > 3 && cols[0].equals(database)) {
                waiting += Integer.parseInt(cols[3].strip());
            }
        }
        return waiting;
    }

    /** What PgBouncer logged so far. */
    public String log() {
        try {
            Path f = dir.resolve("pgbouncer.log");
            return Files.exists(f) ? Files.readString(f) : Files.readString(dir.resolve("stdout.txt"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Stops the PgBouncer this object started (SIGTERM, then SIGKILL) and removes its folder. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a leftover folder under the temp directory is harmless
        }
    }
}
