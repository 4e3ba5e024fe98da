package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.jdbc.SqlLibrary;
import io.nebula.worker.queue.jdbc.SqlScript;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plans of the hot statements on PostgreSQL, under generic plans (what a prepared statement
 * gets after a few executions) and with statistics taken while the queue was empty (what a sudden
 * burst meets): none may scan the whole executions table, and a claim must read about as many
 * index entries as it claims, not the whole backlog.
 */
class QueryPlanTest {
    private static final int BACKLOG = 20_000;
    private static String schema;
    private static Connection c;

    @BeforeAll
    static void setUp() throws Exception {
        PostgresTestDatabase.require();
        schema = PostgresTestDatabase.newSchema();
        try (ExecutionStore s = PostgresTestDatabase.open(schema, StoreOptions.defaults("plans"))) {
            s.migrate();
            s.workflowPut(new WorkflowDocument("h", "w", "{}"));
        }
        // The set-up runs on its own connection: PostgreSQL reports a backend's not yet flushed
        // statistics as part of its current transaction, so the measuring connection starts clean.
        try (Connection setup = PostgresTestDatabase.connect();
                Statement st = setup.createStatement()) {
            st.execute("SET search_path TO " + schema);
            // Statistics of an empty queue, then a burst: the planner believes there is nothing to scan.
            st.execute("ANALYZE executions");
            st.execute("INSERT INTO executions (queue, workflow_hash, workflow_name, input, state, max_attempts) "
                    + "SELECT 'default', 'h', 'w', '{}', 'available', 1 FROM generate_series(1, " + BACKLOG + ")");
            st.execute(
                    "UPDATE executions SET state = 'running', lease_expires_at = now() + interval '1 hour', lease_epoch = 1 "
                            + "WHERE id % 10 = 0");
        }
        c = PostgresTestDatabase.connect();
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path TO " + schema);
            st.execute("SET plan_cache_mode = force_generic_plan");
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (c != null) {
            c.close();
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    @Test
    void aClaimReadsAboutAsManyIndexEntriesAsItClaimsWhateverTheStatistics() throws Exception {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM claim_executions('plan-test', ARRAY['default'], 100, 60000)")) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(100);
            }
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(
                            "SELECT idx_tup_fetch, seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'executions' AND schemaname = current_schema()")) {
                rs.next();
                // An ordered walk of executions_claim fetches ~100 rows (plus the UPDATE's lookups by
                // id); a bitmap scan and sort would fetch the whole backlog of 18,000.
                assertThat(rs.getLong(1))
                        .as("rows fetched through indexes by one claim of 100")
                        .isLessThan(1_000);
                assertThat(rs.getLong(2)).as("rows read by sequential scans").isZero();
            }
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    @Test
    void aSuccessBatchReadsOnlyTheRowsItEndsWhateverTheStatistics() throws Exception {
        assertReadsOnlyItsRows("SELECT count(*) FROM complete_succeeded(?::json)", ",\"output\":{\"n\":1}");
    }

    @Test
    void aCheckpointBatchReadsOnlyTheRowsItFencesWhateverTheStatistics() throws Exception {
        assertReadsOnlyItsRows("SELECT count(*) FROM checkpoint_nodes(?::json)", "");
    }

    @Test
    void failReleaseAndCancelBatchesReadOnlyTheRowsTheyEndWhateverTheStatistics() throws Exception {
        assertReadsOnlyItsRows(
                "SELECT count(*) FROM fail_attempts(?::json)", ",\"error\":\"boom\",\"retryable\":true,\"delay_ms\":0");
        assertReadsOnlyItsRows("SELECT count(*) FROM release_attempts(?::json)", ",\"reason\":\"bye\",\"delay_ms\":0");
        assertReadsOnlyItsRows("SELECT count(*) FROM cancel_attempts(?::json)", ",\"reason\":\"stop\"");
    }

    /**
     * Runs {@code statement} over a batch of 100 of the 2,000 running rows (ids divisible by 10)
     * and checks that it fenced all of them through an index and read no row sequentially.
     */
    private static void assertReadsOnlyItsRows(String statement, String extra) throws Exception {
        c.setAutoCommit(false);
        try {
            StringBuilder batch = new StringBuilder("[");
            for (int i = 1; i <= 100; i++) {
                batch.append(i > 1 ? "," : "")
                        .append("{\"id\":")
                        .append(i * 10)
                        .append(",\"epoch\":1")
                        .append(extra)
                        .append(",\"nodes\":[{\"node_id\":\"n\",\"status\":\"succeeded\",\"output\":")
                        .append(i)
                        .append(",\"attempt\":1}]}");
            }
            batch.append(']');
            try (PreparedStatement ps = c.prepareStatement(statement)) {
                ps.setString(1, batch.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(100);
                }
            }
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(
                            "SELECT idx_tup_fetch, seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'executions' AND schemaname = current_schema()")) {
                rs.next();
                assertThat(rs.getLong(1))
                        .as("rows fetched through indexes for a batch of 100")
                        .isLessThan(1_000);
                assertThat(rs.getLong(2)).as("rows read by sequential scans").isZero();
            }
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    @Test
    void hotStatementsNeverScanTheExecutionsTable() throws Exception {
        SqlLibrary sql = new SqlLibrary("postgres", Map.of("schema", schema, "channel", "x"));
        Array ids = c.createArrayOf("bigint", new Long[] {10L, 20L});
        Array epochs = c.createArrayOf("bigint", new Long[] {1L, 1L});
        Array texts = c.createArrayOf("text", new String[] {"a", "b"});
        Array ints = c.createArrayOf("integer", new Integer[] {1, 1});
        Array bools = c.createArrayOf("boolean", new Boolean[] {true, false});
        Map<String, Object> params = Map.ofEntries(
                Map.entry("ids", ids),
                Map.entry("epochs", epochs),
                Map.entry("visibility_ms", 60_000L),
                Map.entry("worker_id", "w"),
                Map.entry("active", 2),
                Map.entry("outputs", texts),
                Map.entry(
                        "batch",
                        "[{\"id\":10,\"epoch\":1,\"output\":null,\"error\":\"e\",\"retryable\":true,"
                                + "\"delay_ms\":0,\"reason\":\"r\",\"nodes\":[]}]"),
                Map.entry("errors", texts),
                Map.entry("reasons", texts),
                Map.entry("retryable", bools),
                Map.entry("delays_ms", epochs),
                Map.entry("max_deaths", 3),
                Map.entry("limit", 100),
                Map.entry("retention_ms", 60_000L));
        for (String op : List.of(
                "lease_heartbeat",
                "node_checkpoint",
                "execution_succeed",
                "execution_fail",
                "execution_release",
                "execution_cancel_ack",
                "execution_rescue",
                "execution_prune")) {
            SqlScript.Statement st = sql.get(op).statements().get(0);
            String plan = explain(st, params);
            assertThat(plan).as(op + " plan:\n" + plan).doesNotContainPattern("Seq Scan on executions\\b");
        }
    }

    private static String explain(SqlScript.Statement st, Map<String, Object> params) throws Exception {
        List<String> lines = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + st.sql())) {
            for (int i = 0; i < st.parameters().size(); i++) {
                Object v = params.get(st.parameters().get(i));
                assertThat(v).as("test value for :" + st.parameters().get(i)).isNotNull();
                ps.setObject(i + 1, v);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lines.add(rs.getString(1));
                }
            }
        }
        return String.join("\n", lines);
    }
}
