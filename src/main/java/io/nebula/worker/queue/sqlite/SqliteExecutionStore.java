package io.nebula.worker.queue.sqlite;

import io.nebula.worker.queue.Dialect;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.queue.jdbc.JdbcExecutionStore;
import io.nebula.worker.queue.jdbc.Params;
import io.nebula.worker.queue.jdbc.Session;
import io.nebula.worker.queue.jdbc.SqlArray;
import io.nebula.worker.queue.jdbc.SqlLibrary;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The embedded store: one SQLite file, nothing to install. Several worker processes on one machine
 * may share the file; claims are single {@code UPDATE ... RETURNING} statements under SQLite's
 * write lock, so no execution is claimed twice. Wake-ups are in-process only; other processes poll.
 */
public final class SqliteExecutionStore extends JdbcExecutionStore {
    private final SqliteDatabase sqlite;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

    private SqliteExecutionStore(SqliteDatabase db, StoreOptions options) {
        super(db, options);
        this.sqlite = db;
    }

    /** The schema version this build's SQLite migrations end at, read without opening a file. */
    public static int schemaVersion() {
        return new SqlLibrary(Dialect.SQLITE, Map.of()).schemaVersion();
    }

    public static SqliteExecutionStore open(Path file, StoreOptions options) {
        return new SqliteExecutionStore(new SqliteDatabase(file), options);
    }

    @Override
    public Dialect dialect() {
        return Dialect.SQLITE;
    }

    public Path file() {
        return sqlite.file();
    }

    @Override
    protected List<Submitted> insertExecutions(Session s, List<SubmitRequest> requests, boolean later)
            throws SQLException {
        // The write lock is held (BEGIN IMMEDIATE), so the ids after the current maximum are ours.
        long base = s.query("execution_id_reserve", Params.of()).get(0).getLong("base");
        List<Long> ids = new ArrayList<>(requests.size());
        for (int i = 1; i <= requests.size(); i++) {
            ids.add(base + i);
        }
        Params p = submitParams(requests)
                .set("new_ids", SqlArray.ofLongs(ids))
                .zip(
                        "rows",
                        "queues",
                        "hashes",
                        "names",
                        "inputs",
                        "priorities",
                        "delays_ms",
                        "run_ats_ms",
                        "max_attempts",
                        "keys",
                        "new_ids",
                        "traceparents");
        return submitted(s.query("execution_submit", p), requests.size());
    }

    /**
     * A success batch is one UPDATE; the rare attempts in it whose cancel won get their node results
     * written after it, under the same write lock, instead of every batch joining its rows to look
     * for a cancel.
     */
    @Override
    protected boolean succeedLeavesCancelledNodes() {
        return true;
    }

    /**
     * A claim is one write transaction on the writer thread, holding SQLite's write lock, so it can
     * read each limited queue's room, pick and claim in several statements without another claim
     * counting in between.
     */
    @Override
    protected boolean claimsLimitedQueuesApart() {
        return true;
    }

    @Override
    protected void announce(Session s, Set<String> queues) {
        // Nothing inside the transaction: in-process claimers are woken after commit.
    }

    @Override
    protected void afterCommit(Set<String> queues) {
        for (Subscription sub : subscriptions) {
            if (queues.stream().anyMatch(sub.queues()::contains)) {
                sub.onWake().run();
            }
        }
    }

    /** In-process claimers of those queues, or all of them for {@link #ANY_QUEUE}, are woken. */
    @Override
    protected void afterEndsMadeDue(Set<String> queues) {
        boolean any = queues.contains(ANY_QUEUE);
        for (Subscription sub : subscriptions) {
            if (any || queues.stream().anyMatch(sub.queues()::contains)) {
                sub.onWake().run();
            }
        }
    }

    @Override
    public AutoCloseable wakeupSubscribe(List<String> queues, Runnable onWake) {
        Subscription sub = new Subscription(Set.copyOf(queues), onWake);
        subscriptions.add(sub);
        return () -> subscriptions.remove(sub);
    }

    @Override
    public boolean wakeupConnected() {
        return true;
    }

    private record Subscription(Set<String> queues, Runnable onWake) {}
}
