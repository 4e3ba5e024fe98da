package io.nebula.worker.bench;

import io.nebula.worker.config.DatabaseUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * CPU time used by PostgreSQL server processes on this machine, read from {@code
 * /proc/<pid>/stat} (see {@link ProcTicks}). Sampled around a drain it gives the database's CPU
 * per execution, the other half of the cost when the worker and the database share the machine. Only the run's own
 * backends (found by application name, see {@link #ours}) and the server's background writers are
 * counted, so other clients of a shared server do not inflate it; it reads nothing when the
 * database is not local or {@code /proc} is missing.
 */
final class LocalPostgresCpu {
    private LocalPostgresCpu() {}

    /** Whether {@code target} is a PostgreSQL server on this machine whose processes can be read. */
    static boolean measurable(BenchTarget target) {
        return target.url() instanceof DatabaseUrl.Postgres pg
                && (pg.jdbcUrl().contains("//127.0.0.1") || pg.jdbcUrl().contains("//localhost"))
                && Files.isDirectory(Path.of("/proc/self"));
    }

    /** CPU ticks of every {@code postgres} process now, by pid. */
    static Map<Long, Long> snapshot() {
        Map<Long, Long> out = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(p -> {
                        long t = ticks(p);
                        if (t >= 0) {
                            out.put(Long.parseLong(p.getFileName().toString()), t);
                        }
                    });
        } catch (IOException e) {
            // no /proc: an empty snapshot
        }
        return out;
    }

    /**
     * The server processes a run is charged with: the backends whose application name starts with
     * {@code applicationPrefix}, and the background writers. Read while the run's connections are
     * still open.
     */
    static Set<Long> ours(Connection c, String applicationPrefix) throws SQLException {
        Set<Long> pids = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(BenchSql.text("postgres", "backends"))) {
            ps.setString(1, applicationPrefix);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getLong(1));
                }
            }
        }
        return pids;
    }

    private static long ticks(Path proc) {
        try {
            return ProcTicks.of(Files.readString(proc.resolve("stat")), "postgres"::equals);
        } catch (IOException | RuntimeException e) {
            return -1; // the process ended meanwhile, or is not ours to read
        }
    }
}
