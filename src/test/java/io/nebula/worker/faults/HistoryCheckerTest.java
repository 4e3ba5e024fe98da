package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.faults.History.WorkerRecord;
import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.Completions;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.LeaseStore.Checkpoint;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.testing.PrometheusText;
import io.nebula.worker.testing.WorkerLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker is tested too: a clean history built through the store is valid, and each kind of
 * corruption (a double success, a lost execution, a stale-epoch write, an unexplained duplicate
 * side effect, an acknowledged completion the database lacks, a counter that disagrees) makes the
 * matching invariant report invalid.
 */
class HistoryCheckerTest {
    static final String W1 = "w1@host-1";
    static final String W2 = "w2@host-2";
    static final WorkflowDocument DOC = new WorkflowDocument("checker-hash", "checker", "{}");

    @TempDir
    Path tmp;

    PostgresTestStore db;
    ExecutionStore store;
    long plain;
    long rescued;
    final List<String> w1Log = new ArrayList<>();
    final List<String> w2Log = new ArrayList<>();
    String w2Metrics;

    @BeforeEach
    void cleanHistory() throws Exception {
        db = new PostgresTestStore();
        store = db.store();
        store.workflowPut(DOC);
        // plain: claimed by w1, one checkpoint, succeeded.
        plain = submit();
        ClaimedExecution p = claim(W1, Duration.ofMinutes(5));
        checkpoint(p, "effect");
        succeed(p);
        effect(plain, 1);
        w1Log.add(trace("node started", p, "effect", null));
        w1Log.add(trace("execution ended", p, null, "succeeded"));
        // rescued: w1 dies while its side effect is in flight; w2 takes over and succeeds.
        rescued = submit();
        ClaimedExecution dead = claim(W1, Duration.ofMillis(1));
        w1Log.add(trace("node started", dead, "effect", null));
        effect(rescued, 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> store.executionRescue(3, 10).total() == 1);
        ClaimedExecution taken = claim(W2, Duration.ofMinutes(5));
        w2Log.add(trace("node started", taken, "effect", null));
        effect(rescued, 2);
        checkpoint(taken, "effect");
        succeed(taken);
        w2Log.add(trace("execution ended", taken, null, "succeeded"));
        w2Metrics = metrics(1);
    }

    @AfterEach
    void drop() {
        db.close();
    }

    long submit() {
        return store.executionSubmitMany(List.of(SubmitRequest.now("default", DOC.hash(), DOC.name(), "{}", 3)))
                .get(0)
                .executionId();
    }

    ClaimedExecution claim(String worker, Duration lease) {
        return store.executionClaim(new ClaimRequest(worker, List.of("default"), 1, lease))
                .get(0);
    }

    void checkpoint(ClaimedExecution c, String node) {
        NodeResult r = new NodeResult(node, NodeStatus.SUCCEEDED, "1", null, c.attempt(), Instant.now(), Instant.now());
        assertThat(store.nodeCheckpointMany(List.of(new Checkpoint(c.lease(), r))))
                .containsExactly(true);
    }

    void succeed(ClaimedExecution c) {
        assertThat(store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "{}", List.of())))
                        .get(0)
                        .applied())
                .isTrue();
    }

    void effect(long id, int attempt) throws Exception {
        sql("INSERT INTO side_effects (token, idempotency_key, execution_id, node_id, attempt, node_try, pid)"
                + " VALUES (gen_random_uuid()::text, '" + id + ":effect', " + id + ", 'effect', " + attempt
                + ", 1, 1)");
    }

    static String trace(String msg, ClaimedExecution c, String node, String outcome) {
        return "{\"logger\":\"io.nebula.worker.trace\",\"msg\":\"" + msg + "\",\"execution_id\":" + c.id()
                + ",\"attempt\":" + c.attempt() + ",\"lease_epoch\":" + c.leaseEpoch()
                + (node == null ? "" : ",\"node_id\":\"" + node + "\"")
                + (outcome == null ? "" : ",\"outcome\":\"" + outcome + "\"") + "}";
    }

    static String metrics(int succeeded) {
        return """
                # TYPE worker_attempts_total counter
                worker_attempts_total{outcome="succeeded"} %d.0
                # TYPE worker_jobs_processed_total counter
                worker_jobs_processed_total %d.0
                # TYPE worker_jobs_failed_total counter
                worker_jobs_failed_total 0.0
                # TYPE worker_lease_lost_total counter
                worker_lease_lost_total 0.0
                # TYPE worker_rescued_total counter
                worker_rescued_total{result="requeued"} 0.0
                """.formatted(succeeded, succeeded);
    }

    void sql(String statement) throws Exception {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    CheckReport check() throws Exception {
        Path l1 = tmp.resolve("w1.log");
        Path l2 = tmp.resolve("w2.log");
        Files.write(l1, w1Log);
        Files.write(l2, w2Log);
        // w1 was killed (no final scrape); w2 stopped gracefully and was scraped.
        List<WorkerRecord> workers = List.of(
                new WorkerRecord("w1", 1, 1, W1, true, WorkerLog.read(l1), null),
                new WorkerRecord("w2", 1, 2, W2, false, WorkerLog.read(l2), PrometheusText.parse(w2Metrics)));
        History h = HistoryLoader.load(db, List.of(plain, rescued), workers, Set.of("effect"), Duration.ofSeconds(5));
        return HistoryChecker.check(h);
    }

    @Test
    void aCleanHistoryIsValidAndItsDuplicateSideEffectIsExplainedByTheRescue() throws Exception {
        CheckReport r = check();

        assertThat(r.allValid()).as(r.render()).isTrue();
        assertThat(r.verdict(4).count("duplicate_effects")).isEqualTo(1);
        assertThat(r.verdict(4).count("explained_by_rescue")).isEqualTo(1);
        assertThat(r.verdict(7).count("acknowledged")).isEqualTo(2);
        assertThat(r.verdict(8).count("workers_compared")).isEqualTo(1);
    }

    @Test
    void aDoubleSuccessIsCaught() throws Exception {
        // The success of epoch 1 is derived from the row; a stored one of another epoch is a second.
        sql("INSERT INTO execution_transitions (execution_id, event, from_state, to_state, attempt, lease_epoch,"
                + " worker_id) VALUES (" + plain + ", 'succeeded', 'running', 'succeeded', 1, 0, '" + W1 + "')");

        CheckReport r = check();

        assertThat(r.verdict(2).valid()).isFalse();
        assertThat(r.verdict(2).count("double_success")).isEqualTo(1);
        assertThat(r.verdict(2).examples()).anyMatch(e -> e.contains("execution " + plain + " succeeded 2 times"));
    }

    @Test
    void aLostExecutionIsCaught() throws Exception {
        sql("DELETE FROM executions WHERE id = " + plain);

        CheckReport r = check();

        assertThat(r.verdict(1).valid()).isFalse();
        assertThat(r.verdict(1).count("missing")).isEqualTo(1);
    }

    @Test
    void anExecutionLeftRunningWithAnExpiredLeaseIsCaught() throws Exception {
        sql("UPDATE executions SET state = 'running', lease_expires_at = now() - interval '1 minute' WHERE id = "
                + plain);

        CheckReport r = check();

        assertThat(r.verdict(1).count("not_terminal")).isEqualTo(1);
        assertThat(r.verdict(6).valid()).isFalse();
        assertThat(r.verdict(6).count("expired_lease_still_running")).isEqualTo(1);
    }

    @Test
    void aCheckpointWrittenWithAStaleEpochAfterTheRescueIsCaught() throws Exception {
        // The dead holder's epoch 1 ended with the rescue; a checkpoint of epoch 1 written later
        // is a stale write the fence should have refused.
        sql("UPDATE execution_transitions SET at = at - interval '1 minute' WHERE execution_id = " + rescued
                + " AND event IN ('claimed', 'rescued') AND lease_epoch = 1");
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("INSERT INTO node_results (execution_id, node_id, status,"
                        + " output, attempt, lease_epoch) VALUES (?, 'late', 'succeeded', '1', 1, 1)")) {
            ps.setLong(1, rescued);
            ps.executeUpdate();
        }

        CheckReport r = check();

        assertThat(r.verdict(3).valid()).isFalse();
        assertThat(r.verdict(3).count("checkpoint_after_lease_ended")).isEqualTo(1);
    }

    @Test
    void aCompletionWithAStaleEpochIsCaught() throws Exception {
        // An accepted write stores the current epoch's derived claim first (the trigger), then itself.
        sql("INSERT INTO execution_transitions (execution_id, at, event, from_state, to_state, attempt,"
                + " lease_epoch, worker_id) SELECT id, claimed_at, 'claimed', 'available', 'running', attempt,"
                + " lease_epoch, lease_owner FROM executions WHERE id = " + rescued);
        sql("INSERT INTO execution_transitions (execution_id, event, from_state, to_state, attempt, lease_epoch,"
                + " worker_id) VALUES (" + rescued + ", 'retry_scheduled', 'running', 'available', 1, 1, '" + W1
                + "')");

        CheckReport r = check();

        assertThat(r.verdict(3).valid()).isFalse();
        assertThat(r.verdict(3).count("event_with_stale_epoch")).isEqualTo(1);
        assertThat(r.verdict(3).count("epoch_decreased")).isEqualTo(1);
    }

    @Test
    void aDuplicateSideEffectWithoutAnInterruptionIsCaught() throws Exception {
        effect(plain, 1);

        CheckReport r = check();

        assertThat(r.verdict(4).valid()).isFalse();
        assertThat(r.verdict(4).count("unexplained_duplicate_effect")).isEqualTo(1);
    }

    @Test
    void aCheckpointedNodeThatRunsAgainIsCaught() throws Exception {
        w2Log.add("{\"logger\":\"io.nebula.worker.trace\",\"msg\":\"node started\",\"execution_id\":" + plain
                + ",\"attempt\":2,\"lease_epoch\":2,\"node_id\":\"effect\"}");

        CheckReport r = check();

        assertThat(r.verdict(4).count("checkpointed_node_ran_again")).isEqualTo(1);
    }

    @Test
    void anAcknowledgedCompletionMissingFromTheDatabaseIsCaught() throws Exception {
        w1Log.add("{\"logger\":\"io.nebula.worker.trace\",\"msg\":\"execution ended\",\"execution_id\":" + rescued
                + ",\"attempt\":1,\"lease_epoch\":1,\"outcome\":\"succeeded\"}");

        CheckReport r = check();

        assertThat(r.verdict(7).valid()).isFalse();
        assertThat(r.verdict(7).count("acknowledged_but_missing")).isEqualTo(1);
    }

    @Test
    void aCounterThatDisagreesWithTheDatabaseIsCaught() throws Exception {
        w2Metrics = metrics(2);

        CheckReport r = check();

        assertThat(r.verdict(8).valid()).isFalse();
        assertThat(r.verdict(8).examples()).anyMatch(e -> e.contains("worker_attempts_total{outcome=succeeded} = 2"));
    }

    @Test
    void theReportNamesEveryInvariant() throws Exception {
        String text = check().render();
        assertThat(text.lines().filter(l -> l.matches("^[1-8]\\. .*(VALID|INVALID)$")))
                .hasSize(8);
    }
}
