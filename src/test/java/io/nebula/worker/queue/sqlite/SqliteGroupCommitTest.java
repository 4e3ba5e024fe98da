package io.nebula.worker.queue.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.jdbc.Database.Mode;
import io.nebula.worker.queue.jdbc.Database.Work;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer thread commits the writes that queued while another ran in one transaction, each in a
 * savepoint of its own: a write that fails is rolled back alone, and one whose error ends the whole
 * transaction leaves the others to be tried again.
 */
class SqliteGroupCommitTest {
    @TempDir
    Path dir;

    private SqliteDatabase db;
    private final ExecutorService callers = Executors.newCachedThreadPool();
    /** The releases of every write a test held, opened after it in case it failed first. */
    private final List<CountDownLatch> releases = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        // A window long enough that the writes queued behind the held one always share a group.
        db = new SqliteDatabase(dir.resolve("group.db"), Duration.ofSeconds(30));
        db.run("t", Mode.TRANSACTION, false, s -> exec(s.connection(), "CREATE TABLE t (n INTEGER PRIMARY KEY)"));
    }

    @AfterEach
    void close() throws InterruptedException {
        releases.forEach(CountDownLatch::countDown);
        callers.shutdownNow();
        callers.awaitTermination(10, TimeUnit.SECONDS);
        db.close();
    }

    private static Object exec(java.sql.Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
        return null;
    }

    private CompletableFuture<Object> write(Work<Object> work) {
        return CompletableFuture.supplyAsync(() -> db.run("t", Mode.TRANSACTION, false, work), callers);
    }

    private static Work<Object> insert(int n) {
        return s -> exec(s.connection(), "INSERT INTO t VALUES (" + n + ")");
    }

    /** A write inside which the writer thread is held. */
    private record Held(CompletableFuture<Object> done, CountDownLatch release) {
        /** Lets the held write end and waits for its commit. */
        void letGo() throws Exception {
            release.countDown();
            done.get(10, TimeUnit.SECONDS);
        }
    }

    /** Runs {@code first} as a write, then holds the writer thread inside it until let go. */
    private Held hold(Work<Object> first) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        releases.add(release);
        CompletableFuture<Object> done = write(s -> {
            first.run(s);
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while holding the writer", e);
            }
            return null;
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        return new Held(done, release);
    }

    private List<Integer> rows() {
        return db.run("rows", Mode.READ, true, s -> {
            List<Integer> rows = new ArrayList<>();
            try (Statement st = s.connection().createStatement();
                    ResultSet rs = st.executeQuery("SELECT n FROM t ORDER BY n")) {
                while (rs.next()) {
                    rows.add(rs.getInt(1));
                }
            }
            return rows;
        });
    }

    /**
     * Queues, behind a held write of row 1, an insert of row 2, then {@code middle},
     * then an insert of row 4, lets the held write go, and waits for rows 2 and 4 to be written.
     *
     * @return {@code middle}'s outcome
     */
    private CompletableFuture<Object> groupAround(Work<Object> middle) throws Exception {
        Held held = hold(insert(1));
        List<CompletableFuture<Object>> queued = new ArrayList<>();
        for (Work<Object> w : List.of(insert(2), middle, insert(4))) {
            queued.add(write(w));
            int n = queued.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> db.queuedWrites() == n);
        }
        held.letGo();
        queued.get(0).get(10, TimeUnit.SECONDS);
        queued.get(2).get(10, TimeUnit.SECONDS);
        return queued.get(1);
    }

    @Test
    void writesQueuedBehindARunningOneCommitTogetherAndAFailedOneIsRolledBackAlone() throws Exception {
        long commitsBefore = db.commits();

        CompletableFuture<Object> three = groupAround(s -> {
            exec(s.connection(), "INSERT INTO t VALUES (3)");
            throw new IllegalStateException("refused after writing row 3");
        });

        assertThat(three)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingRootCause()
                .isInstanceOf(IllegalStateException.class)
                .withMessage("refused after writing row 3");
        assertThat(rows()).containsExactly(1, 2, 4);
        // The held write's own commit, then one for the three queued behind it.
        assertThat(db.commits() - commitsBefore).isEqualTo(2);
    }

    @Test
    void aWriteThatThrowsAnErrorGetsItAloneAndTheOthersOfItsGroupCommit() throws Exception {
        CompletableFuture<Object> three = groupAround(s -> {
            exec(s.connection(), "INSERT INTO t VALUES (3)");
            throw new AssertionError("made up after writing row 3");
        });

        assertThat(three)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingRootCause()
                .isInstanceOf(AssertionError.class)
                .withMessage("made up after writing row 3");
        assertThat(rows()).containsExactly(1, 2, 4);
        assertThat(db.run("after", Mode.TRANSACTION, false, insert(5))).isNull();
        assertThat(rows()).containsExactly(1, 2, 4, 5);
    }

    @Test
    void whenAWriteEndsTheWholeTransactionTheOthersOfItsGroupAreTriedAgainAndCommit() throws Exception {
        CompletableFuture<Object> three = groupAround(s -> {
            exec(s.connection(), "INSERT INTO t VALUES (3)");
            // What SQLite does on a full disk or an I/O error: the transaction is gone.
            exec(s.connection(), "ROLLBACK");
            throw new SQLException("the disk is full (made up)");
        });

        assertThat(three)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(StoreException.class)
                .withMessageContaining("the disk is full (made up)");
        assertThat(rows()).containsExactly(1, 2, 4);
    }

    @Test
    void aWriteThatAsksForAnotherWriteFromInsideItselfFailsInsteadOfWaitingForever() {
        assertThat(write(s -> db.run("inner", Mode.TRANSACTION, false, insert(7))))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingRootCause()
                .isInstanceOf(IllegalStateException.class)
                .withMessageContaining("would wait for itself");
        assertThat(db.run("after", Mode.TRANSACTION, false, insert(8))).isNull();
        assertThat(rows()).containsExactly(8);
    }

    /** What {@code PRAGMA synchronous} says inside a write of mode {@code mode}: 1 NORMAL, 2 FULL. */
    private CompletableFuture<Object> synchronousIn(Mode mode) {
        return CompletableFuture.supplyAsync(
                () -> db.run("sync", mode, false, s -> {
                    try (Statement st = s.connection().createStatement();
                            ResultSet rs = st.executeQuery("PRAGMA synchronous")) {
                        rs.next();
                        return rs.getInt(1);
                    }
                }),
                callers);
    }

    @Test
    void aGroupOfClaimsOnlyCommitsWithoutWaitingForTheDiskAndAGroupWithAnyOtherWriteWaits() throws Exception {
        Held held = hold(insert(1));
        CompletableFuture<Object> claimA = synchronousIn(Mode.CLAIM);
        CompletableFuture<Object> claimB = synchronousIn(Mode.CLAIM);
        await().atMost(Duration.ofSeconds(10)).until(() -> db.queuedWrites() == 2);
        held.letGo();
        assertThat(List.of(claimA.get(10, TimeUnit.SECONDS), claimB.get(10, TimeUnit.SECONDS)))
                .containsExactly(1, 1);

        Held heldAgain = hold(s -> null);
        CompletableFuture<Object> claim = synchronousIn(Mode.CLAIM);
        await().atMost(Duration.ofSeconds(10)).until(() -> db.queuedWrites() == 1);
        CompletableFuture<Object> other = synchronousIn(Mode.TRANSACTION);
        await().atMost(Duration.ofSeconds(10)).until(() -> db.queuedWrites() == 2);
        heldAgain.letGo();
        assertThat(List.of(claim.get(10, TimeUnit.SECONDS), other.get(10, TimeUnit.SECONDS)))
                .containsExactly(2, 2);
    }
}
