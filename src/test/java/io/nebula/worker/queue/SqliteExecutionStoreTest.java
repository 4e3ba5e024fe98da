package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The store contract against a real SQLite file in a temporary folder. */
class SqliteExecutionStoreTest extends ExecutionStoreContract {
    private Path dir;
    private Path file;

    @Override
    protected ExecutionStore newStore() {
        try {
            dir = Files.createTempDirectory("nebula-sqlite-test");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        file = dir.resolve("nebula.db");
        ExecutionStore s = SqliteExecutionStore.open(file, StoreOptions.defaults("test"));
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
        return SqliteExecutionStore.open(file, StoreOptions.defaults("test-other"));
    }

    @Override
    protected Connection rawConnection() throws Exception {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (var st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 10000");
        }
        return c;
    }

    @Override
    protected void dropDatabase() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @org.junit.jupiter.api.Test
    void aNewDatabaseFileAndItsFolderAreReadableByTheirOwnerOnly() throws Exception {
        Path fresh =
                Files.createTempDirectory("nebula-sqlite-perms").resolve("data").resolve("private.db");
        try (ExecutionStore s = SqliteExecutionStore.open(fresh, StoreOptions.defaults("perms"))) {
            s.migrate();
            s.workflowPut(new io.nebula.worker.queue.WorkflowDocument("h", "w", "{}"));

            var owner = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
            org.assertj.core.api.Assertions.assertThat(Files.getPosixFilePermissions(fresh))
                    .isEqualTo(owner);
            org.assertj.core.api.Assertions.assertThat(
                            Files.getPosixFilePermissions(fresh.resolveSibling("private.db-wal")))
                    .isEqualTo(owner);
            org.assertj.core.api.Assertions.assertThat(Files.getPosixFilePermissions(fresh.getParent()))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } finally {
            try (Stream<Path> files = Files.walk(fresh.getParent().getParent())) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * How a worker of a build without migration 11 releases an execution for a delay: its statement
     * knows nothing of awaiting_children_epoch.
     */
    private static final String RELEASE_BEFORE_MIGRATION_11 = """
            UPDATE executions
               SET state = 'available', attempt = attempt - 1,
                   run_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) + ?,
                   requeued_at = CAST(unixepoch('subsec') * 1000 AS INTEGER),
                   lease_expires_at = NULL, resumable = 1, last_event = 'waiting', note = ?
             WHERE id = ? AND lease_epoch = ? AND state = 'running'
            """;

    @Test
    void aDelayReleasedByAnEarlierBuildIsNotCutShortByAChildsEnd() throws Exception {
        long parent = submit(request());
        ClaimedExecution first = claim(1).get(0);
        store.executionCompleteMany(
                List.of(Completions.awaitChildren(first.lease(), "waiting for child", Duration.ofHours(1))));
        LeaseRef a = child(parent, "a");
        LeaseRef b = child(parent, "b");
        store.executionCompleteMany(List.of(Completions.succeed(a, "{}", List.of())));
        ClaimedExecution p = claim(1).get(0);
        assertThat(p.id()).isEqualTo(parent);
        // A worker of the earlier build (a rolling upgrade, a rollback) parks it for a delay node.
        try (Connection c = rawConnection();
                PreparedStatement st = c.prepareStatement(RELEASE_BEFORE_MIGRATION_11)) {
            st.setLong(1, Duration.ofHours(1).toMillis());
            st.setString(2, "node 'pause': waiting 1h");
            st.setLong(3, parent);
            st.setLong(4, p.leaseEpoch());
            assertThat(st.executeUpdate()).isEqualTo(1);
        }

        store.executionCompleteMany(List.of(Completions.succeed(b, "{}", List.of())));

        assertThat(claim(1)).as("a delay node's wait is never cut short").isEmpty();
    }

    @Test
    void endsThatMakeAParentDueWakeInProcessClaimersAndOtherEndsDoNot() throws Exception {
        java.util.concurrent.atomic.AtomicInteger wakes = new java.util.concurrent.atomic.AtomicInteger();
        long parent = submit(request());
        ClaimedExecution p = claim(1).get(0);
        LeaseRef early = child(parent, "a");
        LeaseRef late = child(parent, "b");
        long plain = submit(request());
        ClaimedExecution q = claim(1).get(0);
        assertThat(q.id()).isEqualTo(plain);
        store.executionCompleteMany(List.of(Completions.succeed(early, "{}", List.of())));
        try (AutoCloseable sub = store.wakeupSubscribe(List.of("default"), wakes::incrementAndGet)) {
            store.executionCompleteMany(List.of(Completions.succeed(q.lease(), "{}", List.of())));
            assertThat(wakes).as("an execution that is no one's child").hasValue(0);

            // A child ended while the parent ran: its release for children is due at once.
            store.executionCompleteMany(
                    List.of(Completions.awaitChildren(p.lease(), "waiting for child", Duration.ofHours(1))));
            assertThat(wakes).hasValue(1);
            ClaimedExecution again = claim(1).get(0);
            assertThat(again.id()).isEqualTo(parent);
            store.executionCompleteMany(
                    List.of(Completions.awaitChildren(again.lease(), "waiting for child", Duration.ofHours(1))));
            assertThat(wakes).as("a release for children that waits").hasValue(1);

            // The last child's end makes the parked parent due.
            store.executionCompleteMany(List.of(Completions.fail(late, "boom", false, Duration.ZERO, List.of())));
            assertThat(wakes).hasValue(2);
        }
        assertThat(claim(1)).extracting(ClaimedExecution::id).containsExactly(parent);
    }

    @Test
    void aChildWhoseReleaseACancelWinsWakesTheParkedParent() throws Exception {
        // The child (itself waiting on a delay node) is released; its pending cancel wins.
        assertAParkedParentIsWokenByTheEndOf(
                c -> Completions.release(c, "node 'pause': waiting 1h", Duration.ofHours(1), List.of()));
    }

    @Test
    void aChildWhoseSignalWaitACancelWinsWakesTheParkedParent() throws Exception {
        assertAParkedParentIsWokenByTheEndOf(c ->
                Completions.awaitSignal(c, "waiting for go", List.of(new SignalWait("gate", "go", null)), List.of()));
    }

    /**
     * A parent parked for its children, whose child has a cancel pending, is made due and its
     * in-process claimers woken when the child's attempt ends with {@code end}, which the cancel wins.
     */
    private void assertAParkedParentIsWokenByTheEndOf(java.util.function.Function<LeaseRef, Completion> end)
            throws Exception {
        java.util.concurrent.atomic.AtomicInteger wakes = new java.util.concurrent.atomic.AtomicInteger();
        long parent = submit(request());
        ClaimedExecution p = claim(1).get(0);
        store.executionCompleteMany(
                List.of(Completions.awaitChildren(p.lease(), "waiting for child", Duration.ofHours(1))));
        LeaseRef c = child(parent, "a");
        store.executionCancel(c.executionId(), "stop");
        try (AutoCloseable sub = store.wakeupSubscribe(List.of("default"), wakes::incrementAndGet)) {
            store.executionCompleteMany(List.of(end.apply(c)));
            assertThat(claim(1))
                    .as("the parent is due")
                    .extracting(ClaimedExecution::id)
                    .containsExactly(parent);
            assertThat(wakes).as("and its claimers were woken").hasValue(1);
        }
    }

    private LeaseRef child(long parent, String node) {
        long child = submit(request().withIdempotencyKey(ChildKeys.key(parent, node)));
        ClaimedExecution c = claim(1).get(0);
        assertThat(c.id()).isEqualTo(child);
        return c.lease();
    }
}
