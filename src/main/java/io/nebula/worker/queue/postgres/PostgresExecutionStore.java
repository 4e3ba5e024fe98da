package io.nebula.worker.queue.postgres;

import io.nebula.worker.queue.Dialect;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.queue.jdbc.Database.Mode;
import io.nebula.worker.queue.jdbc.JdbcExecutionStore;
import io.nebula.worker.queue.jdbc.Params;
import io.nebula.worker.queue.jdbc.Session;
import io.nebula.worker.queue.jdbc.SqlArray;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The PostgreSQL store: many worker processes share one database. Wake-ups travel by
 * LISTEN/NOTIFY (a hint; claimers poll as well), or not at all in poll-only mode. While it listens,
 * it also makes the parent wake-ups that a child's end passed on because the parent's row was held
 * ({@link ParentWakes}).
 */
public final class PostgresExecutionStore extends JdbcExecutionStore {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,40}");

    private final PostgresDatabase pg;
    private final List<Listener> listeners = new ArrayList<>();
    private final Announcer announcer = new Announcer(this::announceNow);
    /** Started with the first listener; guarded by {@link #listeners}. */
    private ParentWakes parentWakes;

    private PostgresExecutionStore(PostgresDatabase db, StoreOptions options) {
        super(db, options);
        this.pg = db;
    }

    /**
     * Opens a store on {@code jdbcUrl}. {@code properties} carry the user, password and TLS settings
     * (libpq's {@code sslmode} and friends); connections are opened lazily, so this succeeds even
     * when the database is down.
     */
    public static PostgresExecutionStore open(String jdbcUrl, Properties properties, StoreOptions options) {
        if (!IDENTIFIER.matcher(options.schema()).matches()) {
            throw new IllegalArgumentException("database schema '" + options.schema()
                    + "' must be a lower-case identifier (letters, digits, underscore; at most 41 characters)");
        }
        return new PostgresExecutionStore(new PostgresDatabase(jdbcUrl, properties, options), options);
    }

    @Override
    public Dialect dialect() {
        return Dialect.POSTGRES;
    }

    @Override
    public void probe() {
        pg.probe();
    }

    @Override
    public java.util.Map<String, Integer> connectionPoolUsage() {
        var mx = pg.pool().getHikariPoolMXBean();
        if (mx == null) {
            return java.util.Map.of();
        }
        return java.util.Map.of(
                "active", mx.getActiveConnections(),
                "idle", mx.getIdleConnections(),
                "pending", mx.getThreadsAwaitingConnection(),
                "max", pg.pool().getMaximumPoolSize());
    }

    @Override
    protected List<Submitted> insertExecutions(Session s, List<SubmitRequest> requests, boolean later)
            throws SQLException {
        Params p = submitParams(requests)
                .set("channel", PostgresDatabase.channel(options.schema()))
                .set("notify", !later);
        return submitted(s.query("execution_submit", p), requests.size());
    }

    /**
     * Sends a submit's NOTIFY after its commit, in a transaction of its own (see {@link Announcer}):
     * a transaction that notifies holds a server-wide lock through its whole commit, so submits
     * that each notified in their own transaction waited for each other's disk writes.
     */
    @Override
    protected void afterInsertCommitted(Set<String> queues) {
        super.afterInsertCommitted(queues);
        announcer.announce(queues);
    }

    private void announceNow(Set<String> queues) {
        db.run("wakeup_announce", Mode.SINGLE, true, s -> s.query("wakeup_announce", wakeUp(queues)));
    }

    /** The parameters of a NOTIFY per queue on this schema's wake-up channel. */
    private Params wakeUp(Set<String> queues) {
        return Params.of("channel", PostgresDatabase.channel(options.schema()))
                .set("queues", SqlArray.ofStrings(List.copyOf(queues)));
    }

    /**
     * The submit statement needs no separate statement to wake claimers (it notifies itself, or
     * leaves it to {@link #afterInsertCommitted}), so a submit is a single statement.
     */
    @Override
    protected boolean announcesOnInsert() {
        return true;
    }

    @Override
    protected void announce(Session s, Set<String> queues) throws SQLException {
        s.query("wakeup_notify", wakeUp(queues));
    }

    @Override
    public AutoCloseable wakeupSubscribe(List<String> queues, Runnable onWake) {
        if (!options.listen()) {
            return () -> {};
        }
        ParentWakes parents;
        synchronized (listeners) {
            if (parentWakes == null) {
                parentWakes = new ParentWakes(this::wakeParent);
                parentWakes.start();
            }
            parents = parentWakes;
        }
        Listener l = new Listener(
                pg, Set.copyOf(queues), onWake, PostgresDatabase.parentChannel(options.schema()), parents::offer);
        synchronized (listeners) {
            listeners.add(l);
        }
        l.start();
        return () -> {
            l.close();
            synchronized (listeners) {
                listeners.remove(l);
            }
        };
    }

    /**
     * Makes a parent's wake-up that its child's end passed on: true when made or nothing was left to
     * change, {@code null} when the parent's row was still held.
     */
    private Boolean wakeParent(long parent) {
        return db.run("execution_wake_parent", Mode.SINGLE, true, s -> {
            var row = s.query("execution_wake_parent", Params.of("id", parent)).get(0);
            return row.isNull("looked") ? null : row.bool("looked");
        });
    }

    @Override
    public boolean wakeupConnected() {
        synchronized (listeners) {
            return listeners.stream().allMatch(Listener::connected);
        }
    }

    @Override
    public void close() {
        announcer.close();
        List<Listener> copy;
        ParentWakes parents;
        synchronized (listeners) {
            copy = List.copyOf(listeners);
            listeners.clear();
            parents = parentWakes;
            parentWakes = null;
        }
        copy.forEach(Listener::close);
        if (parents != null) {
            parents.close();
        }
        super.close();
    }
}
