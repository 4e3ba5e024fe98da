package io.nebula.worker.queue.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * Several equally long list parameters zipped into rows. SQLite receives them as one JSON array of
 * arrays and reads it with a single {@code json_each} (joining one {@code json_each} per column
 * would make its planner try every combination); PostgreSQL queries use the separate arrays with
 * {@code unnest} instead and never bind this.
 */
public record SqlRows(List<SqlArray> columns) {
    public SqlRows {
        columns = List.copyOf(columns);
        int n = columns.isEmpty() ? 0 : columns.get(0).values().size();
        for (SqlArray c : columns) {
            if (c.values().size() != n) {
                throw new IllegalArgumentException("zipped columns differ in length");
            }
        }
    }

    /** The rows, each a list of one value per column. */
    public List<List<Object>> rows() {
        int n = columns.isEmpty() ? 0 : columns.get(0).values().size();
        List<List<Object>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<Object> row = new ArrayList<>(columns.size());
            for (SqlArray c : columns) {
                row.add(c.values().get(i));
            }
            out.add(row);
        }
        return out;
    }
}
