package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The store contract against the local PostgreSQL, each test in a fresh schema. */
class PostgresExecutionStoreTest extends ExecutionStoreContract {
    private String schema;

    @BeforeAll
    static void requirePostgres() {
        PostgresTestDatabase.require();
    }

    @Override
    protected ExecutionStore newStore() {
        schema = PostgresTestDatabase.newSchema();
        ExecutionStore s = PostgresTestDatabase.open(schema, StoreOptions.defaults("test"));
        try {
            s.migrate();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    @Override
    protected ExecutionStore sameDatabase() {
        return PostgresTestDatabase.open(schema, StoreOptions.defaults("test-other"));
    }

    @Override
    protected Connection rawConnection() throws Exception {
        Connection c = PostgresTestDatabase.connect();
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path TO " + schema);
        }
        return c;
    }

    @Override
    protected void dropDatabase() {
        PostgresTestDatabase.dropSchema(schema);
    }

    @Test
    void aReRegistrationResetsWhatANewerBuildSetUnderTheSameWorkerId() throws Exception {
        store.workerRegister(worker("stable-id"));
        try (Connection c = rawConnection();
                Statement st = c.createStatement()) {
            // A column of a later migration, set by a newer build that ran under this id before.
            st.execute("ALTER TABLE workers ADD COLUMN reads_something_new boolean NOT NULL DEFAULT false");
            st.execute("UPDATE workers SET reads_something_new = true WHERE worker_id = 'stable-id'");
        }

        store.workerRegister(worker("stable-id"));

        try (Connection c = rawConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT reads_something_new, reads_levels FROM workers WHERE worker_id = 'stable-id'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1))
                    .as("what this build does not know is back at its default")
                    .isFalse();
            assertThat(rs.getBoolean(2)).isTrue();
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void claimsOfAQueueAtItsLimitTakeNoLockOnItsRowAndWriteNothing() throws Exception {
        submit(request());
        submit(request());
        store.queueLimit("default", 1);
        assertThat(claim(5)).hasSize(1);
        long lockerBefore = queueRowLocker();

        for (int i = 0; i < 5; i++) {
            assertThat(claim(5)).isEmpty();
        }

        assertThat(queueRowLocker())
                .as("no claim locked the full queue's row (each lock would have taken a transaction id)")
                .isEqualTo(lockerBefore);
        store.queueLimit("default", 2);
        assertThat(claim(5)).hasSize(1);
        assertThat(queueRowLocker()).as("a claim with room locks it").isNotEqualTo(lockerBefore);
    }

    /** The transaction id that last locked or updated the default queue's row (its {@code xmax}). */
    private long queueRowLocker() throws Exception {
        try (Connection c = rawConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT xmax::text::bigint FROM queues WHERE name = 'default'")) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    @Test
    void migratingAFreshSchemaFromSeveralProcessesAtOnceAppliesEachMigrationOnceAndSaysWho() throws Exception {
        String fresh = PostgresTestDatabase.newSchema();
        List<ExecutionStore> stores = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                stores.add(PostgresTestDatabase.open(fresh, StoreOptions.defaults("racer-" + i)));
            }
            List<java.util.concurrent.CompletableFuture<Integer>> runs = stores.stream()
                    .map(st -> java.util.concurrent.CompletableFuture.supplyAsync(st::migrate))
                    .toList();
            int applied = 0;
            for (var r : runs) {
                applied += r.get();
            }
            // Each migration was applied by exactly one of them, and each reports only its own.
            assertThat(applied).isEqualTo(stores.get(0).schemaStatus().expectedVersion());
            assertThat(stores.get(0).migrate()).isZero();
        } finally {
            stores.forEach(ExecutionStore::close);
            PostgresTestDatabase.dropSchema(fresh);
        }
    }

    /**
     * A checkpoint of a first attempt's succeeded nodes is one node_levels row; a resumed attempt's
     * checkpoint, whose nodes may replace failed rows of an earlier attempt, is a node_results row
     * per node, as is any checkpoint with a failed node.
     */
    @Test
    void aFirstAttemptsCheckpointIsOneRowAndAResumedAttemptsIsARowPerNode() throws Exception {
        long id = submit(request());
        ClaimedExecution c1 = claim(1).get(0);
        Instant t = Instant.now();
        assertThat(store.nodeCheckpointMany(List.of(
                        new LeaseStore.Checkpoint(c1.lease(), node("a", NodeStatus.SUCCEEDED, t)),
                        new LeaseStore.Checkpoint(c1.lease(), node("b", NodeStatus.SUCCEEDED, t)),
                        new LeaseStore.Checkpoint(c1.lease(), node("c", NodeStatus.SUCCEEDED, t)))))
                .containsExactly(true, true, true);
        assertThat(rows("node_levels", id)).isEqualTo(1);
        assertThat(rows("node_results", id)).isZero();

        assertThat(store.nodeCheckpointMany(List.of(
                        new LeaseStore.Checkpoint(c1.lease(), node("d", NodeStatus.SUCCEEDED, t)),
                        new LeaseStore.Checkpoint(c1.lease(), node("e", NodeStatus.FAILED, t)))))
                .containsExactly(true, true);
        assertThat(rows("node_levels", id)).isEqualTo(1);
        assertThat(rows("node_results", id)).isEqualTo(2);

        store.executionCompleteMany(List.of(Completions.fail(c1.lease(), "e", true, Duration.ZERO, List.of())));
        ClaimedExecution c2 = claim(1).get(0);
        assertThat(store.nodeCheckpointMany(List.of(
                        new LeaseStore.Checkpoint(c2.lease(), node("e", NodeStatus.SUCCEEDED, t)),
                        new LeaseStore.Checkpoint(c2.lease(), node("f", NodeStatus.SUCCEEDED, t)))))
                .containsExactly(true, true);
        assertThat(rows("node_levels", id)).isEqualTo(1);
        assertThat(rows("node_results", id)).isEqualTo(3);
        assertThat(nodes(id))
                .extracting(NodeResult::status)
                .containsOnly(NodeStatus.SUCCEEDED)
                .hasSize(6);
    }

    /**
     * A worker of a build from before node_levels reads node_results only, so while one is
     * registered and seen within a day checkpoints are written as rows per node; once it
     * deregisters, as levels.
     */
    @Test
    void levelsWaitUntilNoWorkerOfAnOlderBuildIsRegistered() throws Exception {
        store.workerRegister(worker("this-build"));
        try (Connection c = rawConnection();
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO workers (worker_id, pool_id, host, pid, concurrency, queues, version)"
                    + " VALUES ('older-build', 'p', 'h', 1, 4, 'default', '0.0.9')");
            // One that died two days ago no longer holds levels back.
            st.execute("INSERT INTO workers (worker_id, pool_id, host, pid, concurrency, queues, version,"
                    + " last_seen_at) VALUES ('dead-older-build', 'p', 'h', 2, 4, 'default', '0.0.9',"
                    + " now() - interval '2 days')");
        }
        long id = submit(request());
        ClaimedExecution c1 = claim(1).get(0);
        Instant t = Instant.now();
        assertThat(store.nodeCheckpointMany(List.of(
                        new LeaseStore.Checkpoint(c1.lease(), node("a", NodeStatus.SUCCEEDED, t)),
                        new LeaseStore.Checkpoint(c1.lease(), node("b", NodeStatus.SUCCEEDED, t)))))
                .containsExactly(true, true);
        assertThat(rows("node_levels", id)).isZero();
        assertThat(rows("node_results", id)).isEqualTo(2);

        store.workerDeregister("older-build");
        assertThat(store.nodeCheckpointMany(
                        List.of(new LeaseStore.Checkpoint(c1.lease(), node("c", NodeStatus.SUCCEEDED, t)))))
                .containsExactly(true);
        assertThat(rows("node_levels", id)).isEqualTo(1);
        assertThat(nodes(id)).extracting(NodeResult::nodeId).containsExactlyInAnyOrder("a", "b", "c");
    }

    private static NodeResult node(String id, NodeStatus status, Instant t) {
        return new NodeResult(id, status, status == NodeStatus.SUCCEEDED ? "1" : null, null, 1, t, t);
    }

    private long rows(String table, long executionId) throws Exception {
        try (Connection c = rawConnection();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT count(*) FROM " + table + " WHERE execution_id = " + executionId)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Two submits of one store at once: the first notifies from inside its transaction, the second
     * after its commit, in a transaction of its own (concurrent submits that each notified inside
     * their own transaction committed one at a time). Both wake their queues' claimers.
     */
    @Test
    void aSubmitBesideAnotherOfTheSameStoreStillWakesItsQueueAfterItsCommit() throws Exception {
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Connection holder = rawConnection();
                Connection listener = PostgresTestDatabase.connect()) {
            try (Statement st = listener.createStatement()) {
                st.execute("LISTEN \"nebula_wakeup_" + schema + "\"");
            }
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("LOCK TABLE executions IN EXCLUSIVE MODE");
            }
            var first = callers.submit(() -> submit(SubmitRequest.now("first", WORKFLOW.hash(), "wf", "{}", 1)));
            await().atMost(Duration.ofSeconds(10)).until(() -> waitingForTheTable(holder) == 1);
            var second = callers.submit(() -> submit(SubmitRequest.now("second", WORKFLOW.hash(), "wf", "{}", 1)));
            await().atMost(Duration.ofSeconds(10)).until(() -> waitingForTheTable(holder) == 2);
            holder.commit();
            first.get(10, java.util.concurrent.TimeUnit.SECONDS);
            second.get(10, java.util.concurrent.TimeUnit.SECONDS);

            java.util.Set<String> woken = new java.util.HashSet<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(100);
                if (got != null) {
                    for (PGNotification n : got) {
                        woken.add(n.getParameter());
                    }
                }
                return woken.size() == 2;
            });
            assertThat(woken).containsExactlyInAnyOrder("first", "second");
        } finally {
            callers.shutdownNow();
        }
    }

    /** Backends of this test's schema waiting for a lock on the executions table. */
    private long waitingForTheTable(Connection c) throws Exception {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_locks l JOIN pg_class t ON t.oid = l.relation"
                        + " JOIN pg_namespace n ON n.oid = t.relnamespace"
                        + " WHERE NOT l.granted AND t.relname = 'executions' AND n.nspname = '" + schema + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aChildsEndNotifiesTheQueueOfTheParentItWakes() throws Exception {
        long parent = submit(request());
        ClaimedExecution p = claim(1).get(0);
        store.executionCompleteMany(
                List.of(Completions.awaitChildren(p.lease(), "waiting for child", Duration.ofHours(1))));
        long child = submit(request().withIdempotencyKey(ChildKeys.key(parent, "ship")));
        ClaimedExecution c = claim(1).get(0);
        assertThat(c.id()).isEqualTo(child);
        try (Connection listener = PostgresTestDatabase.connect()) {
            try (Statement st = listener.createStatement()) {
                st.execute("LISTEN \"nebula_wakeup_" + schema + "\"");
            }
            store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "{}", List.of())));

            PGNotification[] got = listener.unwrap(PGConnection.class)
                    .getNotifications((int) Duration.ofSeconds(10).toMillis());
            assertThat(got).isNotNull();
            assertThat(got)
                    .extracting(PGNotification::getName, PGNotification::getParameter)
                    .containsExactly(tuple("nebula_wakeup_" + schema, "default"));
        }
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(parent);
    }

    @Test
    void aChildsEndDoesNotWaitForWhoeverHoldsItsParentsRowAndPassesTheWakeUpOn() throws Exception {
        long parent = parentWaitingForChildrenOnThisStore();
        submit(request().withIdempotencyKey(ChildKeys.key(parent, "ship")));
        ClaimedExecution c = claim(1).get(0);
        try (Connection listener = PostgresTestDatabase.connect()) {
            try (Statement st = listener.createStatement()) {
                st.execute("LISTEN \"nebula_parent_" + schema + "\"");
            }
            succeedWhileRowHeld(parent, c.lease(), false);
            PGNotification[] got = listener.unwrap(PGConnection.class)
                    .getNotifications((int) Duration.ofSeconds(10).toMillis());
            assertThat(got)
                    .as("the skipped wake-up is passed on, the parent's id as payload")
                    .isNotNull()
                    .extracting(PGNotification::getName, PGNotification::getParameter)
                    .containsExactly(tuple("nebula_parent_" + schema, String.valueOf(parent)));
        }
        assertThat(get(c.id()).state()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(claim(1))
                .as("no store listens here: the wake-up is left to the parent's own delay")
                .isEmpty();
    }

    @Test
    void aChildsEndThatFindsItsParentsRowFreePassesNothingOn() throws Exception {
        long parent = parentWaitingForChildrenOnThisStore();
        long first = submit(request().withIdempotencyKey(ChildKeys.key(parent, "a")));
        long second = submit(request().withIdempotencyKey(ChildKeys.key(parent, "b")));
        List<ClaimedExecution> children = claim(2);
        assertThat(children).extracting(ClaimedExecution::id).containsExactlyInAnyOrder(first, second);
        try (Connection listener = PostgresTestDatabase.connect()) {
            try (Statement st = listener.createStatement()) {
                st.execute("LISTEN \"nebula_parent_" + schema + "\"");
            }
            // The first end makes the parent due; the second finds it due and marks the epoch of its
            // next claim. Both find the row free: neither passes anything on.
            for (ClaimedExecution c : children) {
                store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "{}", List.of())));
            }
            // A notification sent after those ends arrives after anything they sent.
            try (Statement st = listener.createStatement()) {
                st.execute("NOTIFY \"nebula_parent_" + schema + "\", 'marker'");
            }
            PGNotification[] got = listener.unwrap(PGConnection.class)
                    .getNotifications((int) Duration.ofSeconds(10).toMillis());
            assertThat(got).isNotNull().extracting(PGNotification::getParameter).containsExactly("marker");
        }
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(parent);
    }

    @Test
    void aWakeUpPassedOnMakesTheParentDueOnceWhoeverHeldItsRowLetsGo() throws Exception {
        long parent = parentWaitingForChildrenOnThisStore();
        submit(request().withIdempotencyKey(ChildKeys.key(parent, "ship")));
        ClaimedExecution c = claim(1).get(0);
        try (AutoCloseable listening = store.wakeupSubscribe(List.of("default"), () -> {})) {
            await().atMost(Duration.ofSeconds(10)).until(store::wakeupConnected);
            succeedWhileRowHeld(parent, c.lease(), true);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(claim(1))
                            .extracting(ClaimedExecution::id)
                            .containsExactly(parent));
        }
        assertThat(events(parent)).containsExactly("claimed", "waiting", "claimed");
    }

    @Test
    void aWakeUpPassedOnWhileTheParentRunsEndsItsNextWaitForChildrenAtOnce() throws Exception {
        long parent = submit(request());
        ClaimedExecution p = claim(1).get(0);
        long child = submit(request().withIdempotencyKey(ChildKeys.key(parent, "ship")));
        ClaimedExecution c = claim(1).get(0);
        assertThat(c.id()).isEqualTo(child);
        try (AutoCloseable listening = store.wakeupSubscribe(List.of("default"), () -> {})) {
            await().atMost(Duration.ofSeconds(10)).until(store::wakeupConnected);
            // As the parent's heartbeat would, while the child ends.
            succeedWhileRowHeld(parent, c.lease(), false);
            await().atMost(Duration.ofSeconds(10)).until(() -> childEndedEpoch(parent) != null);
        }
        // The parent's look read the child before it ended, so it asks to wait.
        store.executionCompleteMany(
                List.of(Completions.awaitChildren(p.lease(), "waiting for child", Duration.ofHours(1))));

        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(parent);
    }

    @Test
    void aChildsEndThatFindsItsParentsRowHeldWithNothingLeftToChangePassesNothingOn() throws Exception {
        long parent = parentWaitingForChildrenOnThisStore();
        submit(request().withIdempotencyKey(ChildKeys.key(parent, "a")));
        submit(request().withIdempotencyKey(ChildKeys.key(parent, "b")));
        submit(request().withIdempotencyKey(ChildKeys.key(parent, "c")));
        List<ClaimedExecution> children = claim(3);
        assertThat(children).hasSize(3);
        // a makes the parent due; b marks the epoch of its next claim.
        store.executionCompleteMany(List.of(Completions.succeed(children.get(0).lease(), "{}", List.of())));
        store.executionCompleteMany(List.of(Completions.succeed(children.get(1).lease(), "{}", List.of())));
        try (Connection listener = PostgresTestDatabase.connect()) {
            try (Statement st = listener.createStatement()) {
                st.execute("LISTEN \"nebula_parent_" + schema + "\"");
            }
            // As a sibling's end, or a claim, would hold it.
            succeedWhileRowHeld(parent, children.get(2).lease(), false);
            try (Statement st = listener.createStatement()) {
                st.execute("NOTIFY \"nebula_parent_" + schema + "\", 'marker'");
            }
            PGNotification[] got = listener.unwrap(PGConnection.class)
                    .getNotifications((int) Duration.ofSeconds(10).toMillis());
            assertThat(got)
                    .as("c's end would have changed nothing: due already, its epoch marked already")
                    .isNotNull()
                    .extracting(PGNotification::getParameter)
                    .containsExactly("marker");
        }
    }

    @Test
    void aParentWhoseRowStaysHeldDoesNotHoldUpAnotherParentsWakeUp() throws Exception {
        long held = parentWaitingForChildrenOnThisStore();
        long other = parentWaitingForChildrenOnThisStore();
        submit(request().withIdempotencyKey(ChildKeys.key(held, "x")));
        ClaimedExecution first = claim(1).get(0);
        submit(request().withIdempotencyKey(ChildKeys.key(other, "y")));
        ClaimedExecution second = claim(1).get(0);
        try (AutoCloseable listening = store.wakeupSubscribe(List.of("default"), () -> {});
                Connection longHolder = rawConnection()) {
            await().atMost(Duration.ofSeconds(10)).until(store::wakeupConnected);
            longHolder.setAutoCommit(false);
            try (Statement st = longHolder.createStatement()) {
                st.execute("SELECT id FROM executions WHERE id = " + held + " FOR UPDATE");
                store.executionCompleteMany(List.of(Completions.succeed(first.lease(), "{}", List.of())));
            }
            succeedWhileRowHeld(other, second.lease(), true);
            // The first parent's row is held throughout; its tries wait 200 ms each, behind the others.
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(claim(1))
                            .extracting(ClaimedExecution::id)
                            .containsExactly(other));
            longHolder.rollback();
        }
    }

    @Test
    void aWakeUpPassedOnPastTheParentsOwnReleaseForADelayDoesNotCutTheDelayShort() throws Exception {
        long parent = submit(request());
        ClaimedExecution p = claim(1).get(0);
        submit(request().withIdempotencyKey(ChildKeys.key(parent, "ship")));
        ClaimedExecution c = claim(1).get(0);
        try (AutoCloseable listening = store.wakeupSubscribe(List.of("default"), () -> {})) {
            await().atMost(Duration.ofSeconds(10)).until(store::wakeupConnected);
            try (Connection holder = rawConnection()) {
                holder.setAutoCommit(false);
                try (Statement st = holder.createStatement()) {
                    // The parent's own release for a delay node holds the row while the child ends.
                    st.execute("SELECT id FROM executions WHERE id = " + parent + " FOR UPDATE");
                    store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "{}", List.of())));
                    st.execute("SELECT * FROM release_attempts('[{\"id\":" + parent + ",\"epoch\":"
                            + p.leaseEpoch() + ",\"reason\":\"waiting for node wait\",\"delay_ms\":3600000,"
                            + "\"children\":false,\"nodes\":null}]'::json)");
                }
                holder.commit();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> childEndedEpoch(parent) != null);
        }
        assertThat(childEndedEpoch(parent)).isEqualTo(p.leaseEpoch() + 1);
        assertThat(claim(1)).as("the delay is not cut short").isEmpty();
    }

    @Test
    void aReleaseForChildrenDueAtOnceNotifiesItsQueueAndOneThatWaitsDoesNot() throws Exception {
        long parent = submit(request());
        ClaimedExecution p = claim(1).get(0);
        submit(request().withIdempotencyKey(ChildKeys.key(parent, "ship")));
        ClaimedExecution c = claim(1).get(0);
        store.executionCompleteMany(List.of(Completions.succeed(c.lease(), "{}", List.of())));
        long other = submit(request());
        ClaimedExecution o = claim(1).get(0);
        assertThat(o.id()).isEqualTo(other);
        try (Connection listener = PostgresTestDatabase.connect()) {
            try (Statement st = listener.createStatement()) {
                st.execute("LISTEN \"nebula_wakeup_" + schema + "\"");
            }
            // No child of this one ended: it waits, and wakes nobody.
            store.executionCompleteMany(
                    List.of(Completions.awaitChildren(o.lease(), "waiting for child", Duration.ofHours(1))));
            try (Statement st = listener.createStatement()) {
                st.execute("NOTIFY \"nebula_wakeup_" + schema + "\", 'marker'");
            }
            // Its child ended while it ran: due at once, and its queue is told.
            store.executionCompleteMany(
                    List.of(Completions.awaitChildren(p.lease(), "waiting for child", Duration.ofHours(1))));

            List<String> got = new java.util.ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                PGNotification[] ns = listener.unwrap(PGConnection.class).getNotifications(100);
                if (ns != null) {
                    for (PGNotification n : ns) {
                        got.add(n.getParameter());
                    }
                }
                return got.size() >= 2;
            });
            assertThat(got).containsExactly("marker", "default");
        }
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(parent);
    }

    private long parentWaitingForChildrenOnThisStore() {
        long parent = submit(request());
        ClaimedExecution p = claim(1).get(0);
        assertThat(p.id()).isEqualTo(parent);
        store.executionCompleteMany(
                List.of(Completions.awaitChildren(p.lease(), "waiting for child", Duration.ofHours(1))));
        return parent;
    }

    /**
     * Ends {@code child} succeeded while another transaction holds {@code row}'s row (the end's
     * trigger skips it and does not wait), then commits or rolls that transaction back.
     */
    private void succeedWhileRowHeld(long row, LeaseRef child, boolean commit) throws Exception {
        try (Connection holder = rawConnection()) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("SELECT id FROM executions WHERE id = " + row + " FOR UPDATE");
                store.executionCompleteMany(List.of(Completions.succeed(child, "{}", List.of())));
            }
            if (commit) {
                holder.commit();
            } else {
                holder.rollback();
            }
        }
    }

    private Long childEndedEpoch(long id) throws Exception {
        try (Connection c = rawConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT child_ended_epoch FROM executions WHERE id = " + id)) {
            rs.next();
            long v = rs.getLong(1);
            return rs.wasNull() ? null : v;
        }
    }

    @Test
    void aParentAlreadyDueWhenItsChildEndsIsHeldUntilTheChildsEndCommitsAndItsNextWaitForChildrenEndsAtOnce()
            throws Exception {
        long parent = submit(request());
        ClaimedExecution p = claim(1).get(0);
        long child = submit(request().withIdempotencyKey(ChildKeys.key(parent, "ship")));
        ClaimedExecution c = claim(1).get(0);
        assertThat(c.id()).isEqualTo(child);
        store.executionCompleteMany(
                List.of(Completions.awaitChildren(p.lease(), "waiting for child", Duration.ofMillis(1))));
        passTime(Duration.ofMillis(50));
        try (Connection ending = rawConnection()) {
            ending.setAutoCommit(false);
            try (Statement st = ending.createStatement()) {
                // The child's end has run its trigger; its transaction has not committed.
                st.executeUpdate("UPDATE executions SET state = 'succeeded', finished_at = now() WHERE id = " + child);
            }
            assertThat(claim(1))
                    .as("no claim takes the parent with a look that would read the child as running")
                    .isEmpty();
            ending.commit();
        }
        ClaimedExecution again = claim(1).get(0);
        assertThat(again.id()).isEqualTo(parent);
        // Had a claim read the child before its end committed, its wait for children ends at once.
        store.executionCompleteMany(
                List.of(Completions.awaitChildren(again.lease(), "waiting for child", Duration.ofHours(1))));
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(parent);
    }
}
