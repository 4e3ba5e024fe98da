package io.nebula.worker.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint's fence holds its execution's row until the checkpoint commits: a rescue of the
 * lease that expires meanwhile leaves the execution for its next round, and the next claim finds
 * the checkpoint's results, so the node is not run again and no late result lands behind the new
 * attempt's back.
 */
class CheckpointFenceTest {
    private static final WorkflowDocument WF = new WorkflowDocument("fence-hash", "fence", "{}");

    private String schema;
    private ExecutionStore store;

    @BeforeEach
    void open() {
        PostgresTestDatabase.require();
        schema = PostgresTestDatabase.newSchema();
        store = PostgresTestDatabase.open(schema, StoreOptions.defaults("fence"));
        store.migrate();
        store.workflowPut(WF);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
        if (schema != null) {
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    @Test
    void aRescueLeavesAnExecutionWhoseCheckpointIsInProgressAndTheNextClaimFindsItsResult() throws Exception {
        store.executionSubmitMany(List.of(SubmitRequest.now("default", WF.hash(), WF.name(), "{}", 3)));
        ClaimedExecution first = store.leases()
                .executionClaim(new ClaimRequest("w1", List.of("default"), 1, Duration.ofSeconds(1)))
                .get(0);
        long id = first.id();
        long now = System.currentTimeMillis();
        String batch = "[{\"id\":" + id + ",\"epoch\":" + first.leaseEpoch()
                + ",\"nodes\":[{\"node_id\":\"a\",\"status\":\"succeeded\",\"output\":{\"n\":1},\"attempt\":1,"
                + "\"started_ms\":" + now + ",\"finished_ms\":" + now + "}]}]";

        try (Connection slow = PostgresTestDatabase.connect()) {
            slow.setAutoCommit(false);
            // The checkpoint passes its fence and is not committed yet.
            try (PreparedStatement st =
                    slow.prepareStatement("SELECT id FROM \"" + schema + "\".checkpoint_nodes(?::json)")) {
                st.setString(1, batch);
                try (ResultSet rs = st.executeQuery()) {
                    assertThat(rs.next())
                            .as("the lease held when the checkpoint began")
                            .isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(id);
                }
            }
            // Its lease runs out while it is being written.
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                try (Connection c = PostgresTestDatabase.connect();
                        ResultSet rs = c.createStatement()
                                .executeQuery("SELECT lease_expires_at < now() FROM \"" + schema
                                        + "\".executions WHERE id = " + id)) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            });
            assertThat(store.executionRescue(5, 100).requeued())
                    .as("the rescue leaves the row the checkpoint holds for its next round")
                    .isZero();

            slow.commit();
        }
        assertThat(store.executionRescue(5, 100).requeued()).isEqualTo(1);
        List<ClaimedExecution> again =
                store.leases().executionClaim(new ClaimRequest("w2", List.of("default"), 1, Duration.ofSeconds(30)));
        assertThat(again).extracting(ClaimedExecution::id).containsExactly(id);
        assertThat(again.get(0).resumable()).isTrue();
        List<NodeResult> loaded = store.leases().nodeResultsLoad(List.of(id)).getOrDefault(id, List.of());
        assertThat(loaded).extracting(NodeResult::nodeId).containsExactly("a");
    }

    /** Whether {@code id}'s row can be locked FOR UPDATE now (NOWAIT). */
    private boolean lockable(long id) throws Exception {
        try (Connection c = PostgresTestDatabase.connect()) {
            c.setAutoCommit(false);
            try (ResultSet rs = c.createStatement()
                    .executeQuery(
                            "SELECT id FROM \"" + schema + "\".executions WHERE id = " + id + " FOR UPDATE NOWAIT")) {
                return rs.next();
            } catch (java.sql.SQLException e) {
                if ("55P03".equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            } finally {
                c.rollback();
            }
        }
    }

    /** Whether a backend of this test's database waits for a lock now. */
    private static boolean someoneWaitsForALock() throws Exception {
        try (Connection c = PostgresTestDatabase.connect();
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT count(*) FROM pg_stat_activity"
                                + " WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    /** Three executions submitted and claimed by {@code w1}, in id order. */
    private List<ClaimedExecution> threeClaimedById() {
        for (int i = 0; i < 3; i++) {
            store.executionSubmitMany(List.of(SubmitRequest.now("default", WF.hash(), WF.name(), "{}", 3)));
        }
        List<ClaimedExecution> claimed =
                store.leases().executionClaim(new ClaimRequest("w1", List.of("default"), 3, Duration.ofSeconds(30)));
        assertThat(claimed).hasSize(3);
        return claimed.stream()
                .sorted(java.util.Comparator.comparingLong(ClaimedExecution::id))
                .toList();
    }

    /** A connection whose open transaction holds execution {@code id}'s row FOR SHARE; roll it back to let go. */
    private Connection holding(long id) throws Exception {
        Connection holder = PostgresTestDatabase.connect();
        holder.setAutoCommit(false);
        holder.createStatement()
                .executeQuery("SELECT id FROM \"" + schema + "\".executions WHERE id = " + id + " FOR SHARE")
                .close();
        return holder;
    }

    /**
     * A heartbeat locks its rows in id order, as a checkpoint's fence does, whatever order its
     * leases come in: held up at one row, it holds the rows before it and none after it, so the two
     * never wait for each other in a cycle.
     */
    @Test
    void aHeartbeatLocksItsRowsInIdOrder() throws Exception {
        List<ClaimedExecution> byId = threeClaimedById();
        try (Connection holder = holding(byId.get(1).id())) {
            // The leases in an order that is not the ids'.
            var leases = List.of(
                    byId.get(2).lease(), byId.get(0).lease(), byId.get(1).lease());
            java.util.concurrent.CompletableFuture<io.nebula.worker.queue.HeartbeatResult> beat =
                    java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> store.leases().leaseHeartbeat("w1", leases, Duration.ofSeconds(30), 3));
            await().atMost(Duration.ofSeconds(20)).until(CheckpointFenceTest::someoneWaitsForALock);

            assertThat(lockable(byId.get(0).id()))
                    .as("the row before the held one is the heartbeat's")
                    .isFalse();
            assertThat(lockable(byId.get(2).id()))
                    .as("the row after it is not locked yet")
                    .isTrue();
            assertThat(beat).isNotDone();

            holder.rollback();
            assertThat(beat.get(20, java.util.concurrent.TimeUnit.SECONDS).extended())
                    .containsExactlyInAnyOrder(
                            byId.get(0).id(), byId.get(1).id(), byId.get(2).id());
        }
    }

    /**
     * A completion batch of several kinds (one statement each, in one transaction) locks all its
     * rows in id order before its first statement: held up at one row, it holds the rows before it
     * and none after it, whichever statement would end each.
     */
    @Test
    void aCompletionBatchOfSeveralKindsLocksItsRowsInIdOrder() throws Exception {
        List<ClaimedExecution> byId = threeClaimedById();
        try (Connection holder = holding(byId.get(1).id())) {
            // The success statement runs first and would take the highest id first.
            var batch = List.of(
                    io.nebula.worker.queue.Completions.succeed(byId.get(2).lease(), "{}", List.of()),
                    io.nebula.worker.queue.Completions.fail(byId.get(0).lease(), "no", false, Duration.ZERO, List.of()),
                    io.nebula.worker.queue.Completions.fail(
                            byId.get(1).lease(), "no", false, Duration.ZERO, List.of()));
            java.util.concurrent.CompletableFuture<List<io.nebula.worker.queue.CompletionResult>> ended =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> store.executionCompleteMany(batch));
            await().atMost(Duration.ofSeconds(20)).until(CheckpointFenceTest::someoneWaitsForALock);

            assertThat(lockable(byId.get(0).id()))
                    .as("the row before the held one is the batch's")
                    .isFalse();
            assertThat(lockable(byId.get(2).id()))
                    .as("the row after it is not locked yet")
                    .isTrue();

            holder.rollback();
            assertThat(ended.get(20, java.util.concurrent.TimeUnit.SECONDS))
                    .allMatch(io.nebula.worker.queue.CompletionResult::applied);
        }
    }
}
