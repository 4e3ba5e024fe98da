package io.nebula.worker.queue.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.jdbc.Database.Mode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite's snapshot: the reads of one unit of work see the file as of the first of them. */
class SqliteSnapshotTest {
    @TempDir
    Path dir;

    private static long count(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void write(SqliteDatabase db, String sql) {
        db.run("t", Mode.TRANSACTION, false, s -> {
            try (Statement st = s.connection().createStatement()) {
                st.execute(sql);
            }
            return null;
        });
    }

    /** Counts the rows, commits one more row through the writer, and counts again. */
    private static List<Long> countAroundACommit(SqliteDatabase db, Connection reader) throws SQLException {
        long before = count(reader);
        write(db, "INSERT INTO t VALUES (2)");
        return List.of(before, count(reader));
    }

    @Test
    void theReadsOfASnapshotAllSeeTheFileAsOfTheFirstWhereSeparateReadsSeeACommitBetweenThem() {
        try (SqliteDatabase db = new SqliteDatabase(dir.resolve("snapshot.db"))) {
            write(db, "CREATE TABLE t (n INTEGER)");
            write(db, "INSERT INTO t VALUES (1)");

            List<Long> snapshot = db.run("t", Mode.SNAPSHOT, true, s -> countAroundACommit(db, s.connection()));
            List<Long> separate = db.run("t", Mode.READ, true, s -> countAroundACommit(db, s.connection()));
            long last = db.run("t", Mode.SNAPSHOT, true, s -> count(s.connection()));

            assertThat(snapshot).containsExactly(1L, 1L);
            assertThat(separate).containsExactly(2L, 3L);
            assertThat(last).isEqualTo(3L);
        }
    }
}
