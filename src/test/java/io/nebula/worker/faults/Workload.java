package io.nebula.worker.faults;

import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.workflow.LoadedWorkflow;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.awaitility.Awaitility;

/**
 * Generates and submits the executions of a run from a seeded random source, and remembers every
 * id a submit returned (the checker's list of what must never be lost). The mixed workload is
 * mostly quick executions with some short sleeps, a few long nodes (2 to 3.5 s, long enough to be
 * in flight when a fault hits) and some transient failures that succeed on the next attempt.
 */
public final class Workload {
    private final TestStore store;
    private final WorkflowClient client;
    private final Random random;
    private final List<Long> submitted = Collections.synchronizedList(new ArrayList<>());

    public Workload(TestStore store, long seed) {
        this.store = store;
        this.client = store.client(3);
        this.random = new Random(seed);
    }

    public WorkflowClient client() {
        return client;
    }

    public List<Long> submitted() {
        synchronized (submitted) {
            return List.copyOf(submitted);
        }
    }

    /** Counts an execution submitted some other way (for instance, bypassing validation). */
    public void track(long id) {
        submitted.add(id);
    }

    /** One input of {@link FaultWorkflows#MIXED}. */
    public synchronized String mixedInput(int longPercent) {
        int roll = random.nextInt(100);
        int nap = roll < longPercent
                ? 2_000 + random.nextInt(1_500)
                : roll < longPercent + 25 ? 20 + random.nextInt(280) : random.nextInt(10);
        int hold = roll < longPercent ? 800 + random.nextInt(1_200) : 0;
        int failTimes = random.nextInt(100) < 8 ? 1 : 0;
        return "{\"nap_ms\": " + nap + ", \"hold_ms\": " + hold + ", \"fail_times\": " + failTimes + ", \"tag\": \"t"
                + random.nextInt(1_000_000) + "\"}";
    }

    /** Submits {@code n} mixed executions in batches; returns their ids. */
    public List<Long> submitMixed(int n, int longPercent) {
        List<String> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inputs.add(mixedInput(longPercent));
        }
        return submit(FaultWorkflows.MIXED, inputs);
    }

    /** Submits one execution of {@code workflowJson} per input, in batches of 250. */
    public List<Long> submit(String workflowJson, List<String> inputs) {
        LoadedWorkflow wf = FaultWorkflows.load(client, workflowJson);
        List<Long> ids = new ArrayList<>(inputs.size());
        for (int from = 0; from < inputs.size(); from += 250) {
            List<String> batch = inputs.subList(from, Math.min(inputs.size(), from + 250));
            for (Submitted s : client.submitMany(wf, batch, SubmitOptions.defaults())) {
                ids.add(s.executionId());
                submitted.add(s.executionId());
            }
        }
        return ids;
    }

    /** Executions of this run not yet in a terminal state. */
    public long unfinished() {
        try (Connection c = store.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT count(*) FROM executions WHERE state NOT IN ('succeeded', 'failed', 'cancelled')")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Waits until every execution has reached a terminal state. */
    public void awaitDrained(Duration max) {
        Awaitility.await("every execution terminal")
                .atMost(max)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> unfinished() == 0);
    }
}
