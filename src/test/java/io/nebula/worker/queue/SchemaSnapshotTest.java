package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema the migrations produce, compared with the snapshots checked in under
 * {@code src/test/resources/schema/}. A migration that changes the schema must update the snapshot
 * in the same commit, so every schema change is visible in review. Regenerate with
 * {@code -Dnebula.updateSnapshots=true}.
 */
class SchemaSnapshotTest {
    private static final Path SNAPSHOTS =
            Path.of(System.getProperty("nebula.project.dir", "."), "src/test/resources/schema");

    @TempDir
    Path tmp;

    @Test
    void postgresSchemaMatchesTheSnapshot() throws Exception {
        PostgresTestDatabase.require();
        String schema = PostgresTestDatabase.newSchema();
        try (ExecutionStore store = PostgresTestDatabase.open(schema, StoreOptions.defaults("snapshot"))) {
            store.migrate();
            try (Connection c = PostgresTestDatabase.connect()) {
                compare("postgres.txt", postgresDump(c, schema).replace(schema, "${schema}"));
            }
        } finally {
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    @Test
    void sqliteSchemaMatchesTheSnapshot() throws Exception {
        Path file = tmp.resolve("snap.db");
        try (ExecutionStore store = SqliteExecutionStore.open(file, StoreOptions.defaults("snapshot"))) {
            store.migrate();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            compare(
                    "sqlite.txt",
                    lines(
                            c,
                            "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master "
                                    + "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"));
        }
    }

    private static String postgresDump(Connection c, String schema) throws SQLException {
        String s = "'" + schema + "'";
        List<String> out = new ArrayList<>();
        out.add(lines(
                c,
                "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type"
                        + " || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END"
                        + " || coalesce(' default ' || column_default, '')"
                        + " FROM information_schema.columns WHERE table_schema = " + s
                        + " ORDER BY table_name, ordinal_position"));
        out.add(lines(
                c,
                "SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = " + s
                        + " ORDER BY indexname"));
        out.add(lines(
                c,
                "SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ': ' || pg_get_constraintdef(oid)"
                        + " FROM pg_constraint WHERE connamespace = " + s
                        + "::regnamespace ORDER BY conrelid::regclass::text, conname"));
        out.add(lines(
                c,
                "SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') '"
                        + " || coalesce(array_to_string(p.proconfig, ', '), '') FROM pg_proc p"
                        + " WHERE p.pronamespace = " + s + "::regnamespace ORDER BY p.proname"));
        out.add(lines(
                c,
                "SELECT 'trigger ' || tgname || ': ' || pg_get_triggerdef(t.oid) FROM pg_trigger t"
                        + " JOIN pg_class r ON r.oid = t.tgrelid WHERE r.relnamespace = " + s
                        + "::regnamespace AND NOT t.tgisinternal"
                        + " ORDER BY tgname"));
        out.add(lines(
                c,
                "SELECT 'options ' || relname || ': ' || array_to_string(reloptions, ', ') FROM pg_class"
                        + " WHERE relnamespace = " + s + "::regnamespace AND reloptions IS NOT NULL ORDER BY relname"));
        return String.join("", out);
    }

    private static String lines(Connection c, String sql) throws SQLException {
        StringBuilder b = new StringBuilder();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                b.append(rs.getString(1).replaceAll("\\s+", " ").strip()).append('\n');
            }
        }
        return b.toString();
    }

    private static void compare(String name, String actual) throws IOException {
        Path file = SNAPSHOTS.resolve(name);
        if (Boolean.getBoolean("nebula.updateSnapshots")) {
            Files.createDirectories(SNAPSHOTS);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertThat(file)
                .as("snapshot missing; create it with -Dnebula.updateSnapshots=true")
                .exists();
        assertThat(actual)
                .as("schema differs from %s; if the change is intended, rerun with -Dnebula.updateSnapshots=true", file)
                .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }
}
