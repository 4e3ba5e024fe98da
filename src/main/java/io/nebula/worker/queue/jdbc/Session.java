package io.nebula.worker.queue.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * A connection lent to one unit of work, with the dialect's SQL files and parameter conversions.
 * Runs an operation's statements in order and returns the rows of the last one that produced rows.
 */
public final class Session {
    private final Connection connection;
    private final SqlLibrary sql;
    private final Database database;

    Session(Connection connection, SqlLibrary sql, Database database) {
        this.connection = connection;
        this.sql = sql;
        this.database = database;
    }

    public Connection connection() {
        return connection;
    }

    /** Runs the operation {@code name} and returns the rows of its last row-producing statement. */
    public List<Row> query(String name, Params params) throws SQLException {
        List<Row> rows = List.of();
        for (SqlScript.Statement st : sql.get(name).statements()) {
            PreparedStatement ps = database.prepare(connection, st.sql());
            boolean done = false;
            try {
                bind(ps, st, params, name);
                if (ps.execute()) {
                    try (ResultSet rs = ps.getResultSet()) {
                        rows = Row.readAll(rs);
                    }
                }
                done = true;
            } finally {
                database.release(connection, st.sql(), ps, done);
            }
        }
        return rows;
    }

    /** Reads one row of a result set by position with typed getters (the hot path's fixed shapes). */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /**
     * Runs the single-statement operation {@code name} and maps each row of its result with {@code
     * reader}, without materialising the row as objects first.
     */
    public <T> List<T> query(String name, Params params, RowReader<T> reader) throws SQLException {
        List<SqlScript.Statement> statements = sql.get(name).statements();
        if (statements.size() != 1) {
            throw new IllegalArgumentException("operation " + name + " must be one statement to be mapped");
        }
        SqlScript.Statement st = statements.get(0);
        PreparedStatement ps = database.prepare(connection, st.sql());
        boolean done = false;
        try {
            bind(ps, st, params, name);
            java.util.ArrayList<T> out = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(reader.read(rs));
                }
            }
            done = true;
            return out;
        } finally {
            database.release(connection, st.sql(), ps, done);
        }
    }

    /** Runs the operation {@code name} and returns the update count of its last statement. */
    public int update(String name, Params params) throws SQLException {
        int count = 0;
        for (SqlScript.Statement st : sql.get(name).statements()) {
            PreparedStatement ps = database.prepare(connection, st.sql());
            boolean done = false;
            try {
                bind(ps, st, params, name);
                if (ps.execute()) {
                    try (ResultSet rs = ps.getResultSet()) {
                        count = Row.readAll(rs).size();
                    }
                } else {
                    count = ps.getUpdateCount();
                }
                done = true;
            } finally {
                database.release(connection, st.sql(), ps, done);
            }
        }
        return count;
    }

    /** Runs every statement of a script without parameters (migrations), none of them kept prepared. */
    public void execute(SqlScript script) throws SQLException {
        for (SqlScript.Statement st : script.statements()) {
            database.statementStarts(connection);
            try (PreparedStatement ps = connection.prepareStatement(st.sql())) {
                bind(ps, st, Params.of(), script.name());
                ps.execute();
            }
        }
    }

    private void bind(PreparedStatement ps, SqlScript.Statement st, Params params, String op) throws SQLException {
        List<String> names = st.parameters();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (!params.has(name)) {
                throw new IllegalArgumentException("operation " + op + " needs parameter :" + name);
            }
            Object v = params.get(name);
            if (v instanceof SqlArray a) {
                ps.setObject(i + 1, database.arrayParameter(connection, a));
            } else if (v instanceof SqlRows r) {
                ps.setObject(i + 1, database.rowsParameter(r));
            } else if (v instanceof java.time.Instant t) {
                ps.setLong(i + 1, t.toEpochMilli());
            } else if (v instanceof java.time.Duration d) {
                ps.setLong(i + 1, d.toMillis());
            } else if (v == null) {
                ps.setNull(i + 1, database.nullType());
            } else {
                ps.setObject(i + 1, v);
            }
        }
    }
}
