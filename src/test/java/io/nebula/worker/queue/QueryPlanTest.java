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
 *
 * <p>The console's reads get a table shaped like a long-running installation (mostly finished
 * executions, a backlog, a few running, some failed and cancelled, with fresh statistics): none of
 * its statements may scan the executions table, and a page must fetch about as many rows as it
 * shows, not a share of the table.
 */
class QueryPlanTest {
    private static final int BACKLOG = 20_000;
    private static final int HISTORY = 100_000;
    private static String schema;
    private static String consoleSchema;
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
        consoleSchema = PostgresTestDatabase.newSchema();
        try (ExecutionStore s = PostgresTestDatabase.open(consoleSchema, StoreOptions.defaults("plans"))) {
            s.migrate();
            s.workflowPut(new WorkflowDocument("h", "w", "{}"));
            s.workflowPut(new WorkflowDocument("h2", "w2", "{}"));
        }
        try (Connection setup = PostgresTestDatabase.connect();
                Statement st = setup.createStatement()) {
            st.execute("SET search_path TO " + consoleSchema);
            // Ten rows a second for HISTORY rows: the oldest 90 % finished (1 % failed, 0.4 %
            // cancelled), then a backlog with every 40th row running.
            st.execute("INSERT INTO executions (queue, workflow_hash, workflow_name, input, state, max_attempts,"
                    + " created_at, run_at, finished_at, lease_expires_at, last_error, idempotency_key)"
                    + " SELECT CASE WHEN i % 10 = 0 THEN 'emails' ELSE 'default' END,"
                    + " CASE WHEN i % 7 = 0 THEN 'h2' ELSE 'h' END, CASE WHEN i % 7 = 0 THEN 'w2' ELSE 'w' END, '{}',"
                    + " CASE WHEN i > " + HISTORY * 9 / 10
                    + " THEN CASE WHEN i % 40 = 0 THEN 'running' ELSE 'available' END"
                    + " WHEN i % 100 = 0 THEN 'failed' WHEN i % 250 = 0 THEN 'cancelled' ELSE 'succeeded' END, 1,"
                    + " now() - (" + HISTORY + " - i) * interval '100 ms', now() - (" + HISTORY
                    + " - i) * interval '100 ms',"
                    + " CASE WHEN i <= " + HISTORY * 9 / 10 + " THEN now() - (" + HISTORY
                    + " - i) * interval '100 ms' + interval '1 second' END,"
                    + " CASE WHEN i > " + HISTORY * 9 / 10 + " AND i % 40 = 0 THEN now() + interval '5 minutes' END,"
                    + " CASE WHEN i % 100 = 0 THEN 'boom' END, 'key-' || i"
                    + " FROM generate_series(1, " + HISTORY + ") AS i");
            st.execute("ANALYZE executions");
            st.execute("ANALYZE workflows");
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
            PostgresTestDatabase.dropSchema(consoleSchema);
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
        // A never-resumed execution's checkpoint of succeeded nodes, kept as a node_levels row.
        assertReadsOnlyItsRows("SELECT count(*) FROM checkpoint_nodes(?::json)", ",\"level\":true");
    }

    @Test
    void failReleaseAndCancelBatchesReadOnlyTheRowsTheyEndWhateverTheStatistics() throws Exception {
        assertReadsOnlyItsRows(
                "SELECT count(*) FROM fail_attempts(?::json)", ",\"error\":\"boom\",\"retryable\":true,\"delay_ms\":0");
        assertReadsOnlyItsRows("SELECT count(*) FROM release_attempts(?::json)", ",\"reason\":\"bye\",\"delay_ms\":0");
        assertReadsOnlyItsRows("SELECT count(*) FROM cancel_attempts(?::json)", ",\"reason\":\"stop\"");
    }

    @Test
    void aSignalParkBatchReadsOnlyTheRowsItParksWhateverTheStatistics() throws Exception {
        assertReadsOnlyItsRows(
                "SELECT count(*) FROM park_for_signals(?::json)",
                ",\"reason\":\"wait\",\"waits\":[{\"name\":\"go\",\"node_id\":\"n\",\"timeout_ms\":null}]");
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
            // This backend's counts are reported until they are flushed; flush them now, so the
            // next measurement (another batch, or a claim) sees only its own reads.
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_stat_force_next_flush()");
            }
        }
    }

    @Test
    void hotStatementsNeverScanTheExecutionsTable() throws Exception {
        SqlLibrary sql = new SqlLibrary(Dialect.POSTGRES, Map.of("schema", schema, "channel", "x"));
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
                Map.entry("retention_ms", 60_000L),
                Map.entry("lease", "maintenance"),
                Map.entry("holder", "w"),
                Map.entry("after_id", 10L),
                Map.entry("after_position", 1_700_000_000_000_000L),
                Map.entry("lookback_ms", 3_600_000L),
                Map.entry("settle_ms", 30_000L));
        for (String op : List.of(
                "lease_heartbeat",
                "execution_lock_many",
                "node_checkpoint",
                "execution_succeed",
                "execution_fail",
                "execution_release",
                "execution_await_signal",
                "execution_cancel_ack",
                "execution_rescue",
                "execution_prune",
                "execution_failed_after")) {
            SqlScript.Statement st = sql.get(op).statements().get(0);
            String plan = explain(st, params);
            assertThat(plan).as(op + " plan:\n" + plan).doesNotContainPattern("Seq Scan on executions\\b");
        }
    }

    /** The console's statements, each with the parameters of one of its pages. */
    private static List<Map.Entry<String, Map<String, Object>>> consoleReads() {
        long farFuture = 253_402_300_799_000_000L;
        long nowUs = java.time.temporal.ChronoUnit.MICROS.between(java.time.Instant.EPOCH, java.time.Instant.now());
        Map<String, Object> firstPage = Map.of("before_us", farFuture, "before_id", Long.MAX_VALUE, "since_us", 0L);
        // A page deep in the table: cursor an hour back, no lower bound.
        Map<String, Object> deepPage =
                Map.of("before_us", nowUs - 3_600_000_000L, "before_id", Long.MAX_VALUE, "since_us", 0L);
        List<Map.Entry<String, Map<String, Object>>> reads = new ArrayList<>();
        for (Map<String, Object> page : List.of(firstPage, deepPage)) {
            reads.add(Map.entry("execution_page_recent", with(page, "limit", 51)));
            for (String state : List.of("available", "failed", "cancelled")) {
                reads.add(Map.entry("execution_page_state", with(with(page, "limit", 51), "state", state)));
            }
            Map<String, Object> running = with(with(page, "limit", 51), "workflow", "w");
            running = with(with(running, "queue", "default"), "hash", "h");
            reads.add(Map.entry("execution_page_running", running));
        }
        reads.add(Map.entry("execution_get_by_key", Map.of("key", "key-500")));
        reads.add(Map.entry("execution_get", Map.of("id", 500L)));
        reads.add(Map.entry("history_list", Map.of("id", 500L)));
        reads.add(Map.entry("node_results_list", Map.of("id", 500L)));
        reads.add(Map.entry("execution_count_ahead", Map.of("id", 500L, "cap", 10_000L)));
        reads.add(Map.entry("queue_failed_recent", Map.of("window_ms", 3_600_000L, "cap", 100_000L)));
        long nowMs = System.currentTimeMillis();
        reads.add(Map.entry(
                "queue_finished_between",
                Map.of("from_ms", nowMs - 10_000_000L, "to_ms", nowMs - 9_940_000L, "cap", 5_000L)));
        reads.add(Map.entry("workflow_list", Map.of("after_name", "", "after_hash", "", "limit", 51)));
        reads.add(Map.entry("queue_overview_active", Map.of("cap", 100_000L)));
        reads.add(Map.entry("queue_stats_finished", Map.of("cap", 100_000L, "totals", false)));
        return reads;
    }

    private static Map<String, Object> with(Map<String, Object> m, String key, Object value) {
        Map<String, Object> out = new java.util.HashMap<>(m);
        out.put(key, value);
        return out;
    }

    @Test
    void noConsoleReadScansTheExecutionsTable() throws Exception {
        SqlLibrary sql = new SqlLibrary(Dialect.POSTGRES, Map.of("schema", consoleSchema, "channel", "x"));
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path TO " + consoleSchema);
        }
        try {
            for (Map.Entry<String, Map<String, Object>> read : consoleReads()) {
                SqlScript.Statement st = sql.get(read.getKey()).statements().get(0);
                String plan = explain(st, read.getValue());
                assertThat(plan)
                        .as(read.getKey() + " " + read.getValue() + " plan:\n" + plan)
                        .doesNotContainPattern("Seq Scan on executions\\b");
            }
        } finally {
            try (Statement st = c.createStatement()) {
                st.execute("SET search_path TO " + schema);
            }
        }
    }

    @Test
    void aConsolePageFetchesAboutAsManyRowsAsItShows() throws Exception {
        SqlLibrary sql = new SqlLibrary(Dialect.POSTGRES, Map.of("schema", consoleSchema, "channel", "x"));
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path TO " + consoleSchema);
        }
        try {
            for (Map.Entry<String, Map<String, Object>> read : consoleReads()) {
                if (!read.getKey().startsWith("execution_page")) {
                    continue;
                }
                long[] counts = fetched(sql.get(read.getKey()).statements().get(0), read.getValue());
                // 51 rows at most per page; the running page also reads the running set (250 rows).
                long bound = read.getKey().equals("execution_page_running") ? 300 : 60;
                assertThat(counts[0])
                        .as("rows fetched through indexes by " + read.getKey() + " " + read.getValue())
                        .isLessThan(bound);
                assertThat(counts[1]).as("rows read by sequential scans").isZero();
            }
        } finally {
            try (Statement st = c.createStatement()) {
                st.execute("SET search_path TO " + schema);
            }
        }
    }

    /**
     * Runs one statement in a transaction that is rolled back; returns the index fetches and
     * sequential reads on executions that it caused. (A backend reports statistics it has not yet
     * flushed as part of its current transaction, so this measures before and after.)
     */
    private static long[] fetched(SqlScript.Statement st, Map<String, Object> params) throws Exception {
        c.setAutoCommit(false);
        try {
            long[] before = readCounts();
            try (PreparedStatement ps = c.prepareStatement(st.sql())) {
                for (int i = 0; i < st.parameters().size(); i++) {
                    ps.setObject(i + 1, params.get(st.parameters().get(i)));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        // read every row
                    }
                }
            }
            long[] after = readCounts();
            return new long[] {after[0] - before[0], after[1] - before[1]};
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    private static long[] readCounts() throws Exception {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT coalesce(idx_tup_fetch, 0), coalesce(seq_tup_read, 0) FROM pg_stat_xact_user_tables"
                                + " WHERE relname = 'executions' AND schemaname = current_schema()")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
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
