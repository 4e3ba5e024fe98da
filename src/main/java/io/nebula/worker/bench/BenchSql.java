package io.nebula.worker.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few read-only statements the benchmark runs itself (how long a drain took by the database's
 * clock, whether a backlog is left, rows written per table), kept as {@code .sql} resources under
 * {@code io/nebula/worker/bench/<dialect>/}. Each takes its schema-qualified tables from the
 * connection's search path, which {@link ScratchDatabase} sets.
 */
final class BenchSql {
    private BenchSql() {}

    static String text(String dialect, String name) {
        String path = "/io/nebula/worker/bench/" + dialect + "/" + name + ".sql";
        try (InputStream in = BenchSql.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing SQL resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** Runs a query with its {@code ?} parameters bound in order and returns its rows as column-name maps. */
    static List<Map<String, Object>> query(Connection c, String dialect, String name, long... params)
            throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(text(dialect, name))) {
            for (int i = 0; i < params.length; i++) {
                st.setLong(i + 1, params[i]);
            }
            try (ResultSet rs = st.executeQuery()) {
                read(rs, rows);
            }
        }
        return rows;
    }

    private static void read(ResultSet rs, List<Map<String, Object>> rows) throws SQLException {
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= columns; i++) {
                row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
            }
            rows.add(row);
        }
    }
}
