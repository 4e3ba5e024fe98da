package io.nebula.worker.faults;

import io.nebula.worker.faults.History.Effect;
import io.nebula.worker.faults.History.Event;
import io.nebula.worker.faults.History.Execution;
import io.nebula.worker.faults.History.Fault;
import io.nebula.worker.faults.History.Node;
import io.nebula.worker.faults.History.WorkerRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@link History} straight from the tables with plain SQL (not through the store port,
 * whose answers are what is being judged). Times are read as epoch milliseconds in both dialects.
 */
public final class HistoryLoader {
    private HistoryLoader() {}

    public static History load(
            TestStore store,
            List<Long> submitted,
            List<WorkerRecord> workers,
            Set<String> effectNodes,
            Duration settleMargin) {
        boolean pg = store.dialect().equals("postgres");
        try (Connection c = store.connect();
                Statement st = c.createStatement()) {
            Instant now = Instant.ofEpochMilli(single(
                    st,
                    pg
                            ? "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint"
                            : "SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER)"));
            Map<Long, Execution> executions = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT id, workflow_name, state, attempt, max_attempts, deaths,"
                    + " lease_epoch, lease_owner, " + ms(pg, "lease_expires_at") + ", " + ms(pg, "run_at")
                    + ", last_error, " + text(pg, "input") + ", " + text(pg, "output")
                    + " FROM executions ORDER BY id")) {
                while (rs.next()) {
                    executions.put(
                            rs.getLong(1),
                            new Execution(
                                    rs.getLong(1),
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getInt(4),
                                    rs.getInt(5),
                                    rs.getInt(6),
                                    rs.getLong(7),
                                    rs.getString(8),
                                    instant(rs, 9),
                                    instant(rs, 10),
                                    rs.getString(11),
                                    rs.getString(12),
                                    rs.getString(13)));
                }
            }
            Map<Long, List<Event>> events = new HashMap<>();
            // The view orders stored transitions by seq, then the derived claim and success of
            // the current epoch (seq null): give those a seq after every stored one.
            try (ResultSet rs = st.executeQuery("SELECT seq, execution_id, " + ms(pg, "at")
                    + ", event, from_state, to_state, attempt, lease_epoch, worker_id, detail, position"
                    + " FROM execution_history ORDER BY execution_id, position, seq")) {
                while (rs.next()) {
                    long seq = rs.getLong(1);
                    if (rs.wasNull()) {
                        seq = Long.MAX_VALUE - 10 + rs.getInt(11);
                    }
                    Event e = new Event(
                            seq,
                            rs.getLong(2),
                            instant(rs, 3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getInt(7),
                            rs.getLong(8),
                            rs.getString(9),
                            rs.getString(10));
                    events.computeIfAbsent(e.executionId(), k -> new ArrayList<>())
                            .add(e);
                }
            }
            Map<Long, List<Node>> nodes = new HashMap<>();
            // Checkpoints (on PostgreSQL also those kept as levels), and the last nodes a success
            // keeps on its execution row.
            String lastNodes = pg
                    ? " UNION ALL SELECT l.execution_id, n.node_id, n.status, n.attempt, l.lease_epoch, "
                            + ms(pg, "l.recorded_at") + " FROM node_levels l, json_to_recordset(l.nodes)"
                            + " AS n(node_id text, status text, attempt int)"
                            + " UNION ALL SELECT e.id, n.node_id, n.status, n.attempt, e.lease_epoch, "
                            + ms(pg, "e.finished_at") + " FROM executions e, json_to_recordset(e.nodes)"
                            + " AS n(node_id text, status text, attempt int) WHERE e.nodes IS NOT NULL"
                    : " UNION ALL SELECT e.id, n.value ->> 'node_id', n.value ->> 'status',"
                            + " n.value ->> 'attempt', e.lease_epoch, e.finished_at"
                            + " FROM executions e, json_each(e.nodes) n WHERE e.nodes IS NOT NULL";
            try (ResultSet rs = st.executeQuery("SELECT execution_id, node_id, status, attempt, lease_epoch, "
                    + ms(pg, "recorded_at") + " FROM node_results" + lastNodes)) {
                while (rs.next()) {
                    Node n = new Node(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getInt(4),
                            rs.getLong(5),
                            instant(rs, 6));
                    nodes.computeIfAbsent(n.executionId(), k -> new ArrayList<>())
                            .add(n);
                }
            }
            List<Fault> faults = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(
                    "SELECT seq, " + ms(pg, "at") + ", kind, target, detail FROM faults ORDER BY seq")) {
                while (rs.next()) {
                    faults.add(new Fault(
                            rs.getLong(1), instant(rs, 2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
            List<Effect> effects = pg ? pgEffects(st) : fileEffects(((SqliteTestStore) store).effectsFile());
            return new History(
                    store.dialect(),
                    now,
                    List.copyOf(submitted),
                    executions,
                    events,
                    nodes,
                    effects,
                    faults,
                    List.copyOf(workers),
                    Set.copyOf(effectNodes),
                    settleMargin);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the history", e);
        }
    }

    private static List<Effect> pgEffects(Statement st) throws SQLException {
        List<Effect> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(
                "SELECT idempotency_key, execution_id, node_id, attempt, node_try, pid FROM side_effects ORDER BY seq")) {
            while (rs.next()) {
                out.add(new Effect(
                        rs.getString(1), rs.getLong(2), rs.getString(3), rs.getInt(4), rs.getInt(5), rs.getLong(6)));
            }
        }
        return out;
    }

    /**
     * Lines of {@code token key attempt node_try pid}, the key being {@code <installation
     * id>:<execution>:<node>} (or {@code <execution>:<node>} for an execution from before the store
     * had an installation id).
     */
    static List<Effect> fileEffects(Path file) {
        List<Effect> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                String[] p = line.split(" ");
                if (p.length != 5) {
                    continue;
                }
                String unscoped = p[1].matches("[0-9]+:.*") ? p[1] : p[1].substring(p[1].indexOf(':') + 1);
                int colon = unscoped.indexOf(':');
                out.add(new Effect(
                        p[1],
                        Long.parseLong(unscoped.substring(0, colon)),
                        unscoped.substring(colon + 1),
                        Integer.parseInt(p[2]),
                        Integer.parseInt(p[3]),
                        Long.parseLong(p[4])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String ms(boolean pg, String column) {
        return pg ? "(extract(epoch FROM " + column + ") * 1000)::bigint" : column;
    }

    private static String text(boolean pg, String column) {
        return pg ? column + "::text" : column;
    }

    private static long single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }
}
