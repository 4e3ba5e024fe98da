package io.nebula.worker.queue.sqlite;

import io.nebula.worker.json.Json;
import io.nebula.worker.queue.DatabaseProblem;
import io.nebula.worker.queue.Dialect;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.jdbc.Database;
import io.nebula.worker.queue.jdbc.Session;
import io.nebula.worker.queue.jdbc.SqlArray;
import io.nebula.worker.queue.jdbc.SqlLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import tools.jackson.databind.ObjectMapper;

/**
 * SQLite connections. sqlite-jdbc waits for a busy database inside native code, which pins a
 * virtual thread's carrier; with two cores the lock holder might then never run. So every
 * statement runs on a platform thread: one writer thread owns the only write connection (writes
 * begin IMMEDIATE, so a transaction never upgrades from read to write and cannot fail with
 * SQLITE_BUSY_SNAPSHOT), and one reader thread owns a read connection (WAL lets it read while the
 * writer writes). Other processes on the same file are serialized by SQLite's lock and the busy
 * timeout.
 */
final class SqliteDatabase extends Database {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final int BUSY_TIMEOUT_MS = 15_000;
    /** The most writes one transaction takes from the queue. */
    private static final int MAX_GROUP = 64;
    /** How long a group's writes run before it takes no further write, unless told otherwise. */
    private static final java.time.Duration GROUP_WINDOW = java.time.Duration.ofMillis(2);
    /** The SQL state of a write rolled back because another write of its transaction failed. */
    private static final String ROLLED_BACK_WITH_GROUP = "40001";

    private final Path file;
    private final ExecutorService writer;
    private final ExecutorService reader;
    private final Connection writeConnection;
    private final Connection readConnection;
    /**
     * Each connection's prepared statements by SQL text, kept between uses: SQLite compiles a
     * statement on every prepare, which took about 5 % of the writer thread's time in a drain. A
     * statement is out of its map while in use. Each map is used on
     * its connection's thread only; the maps are filled in the constructor and never after.
     * Statements on a caller's connection (a submit inside the caller's transaction) are not kept.
     */
    private final Map<Connection, Map<String, PreparedStatement>> kept = new IdentityHashMap<>();
    /** The writer executor's thread (one at a time). */
    private volatile Thread writerThread;
    /** Writes waiting for the writer thread, in the order they came. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Write<?>> writes =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Transactions the writer thread committed; written on that thread only. */
    private volatile long commits;
    /** Whether the write connection may be inside a transaction; used on the writer thread only. */
    private boolean inTransaction;
    /** A group takes no further write once its writes have run this long. */
    private final long groupNanos;
    /** Whether the write connection's commits wait for the disk; used on the writer thread only. */
    private boolean syncFull = true;

    SqliteDatabase(Path file) {
        this(file, GROUP_WINDOW);
    }

    /** @param groupWindow how long a group's writes run before it takes no further write */
    SqliteDatabase(Path file, java.time.Duration groupWindow) {
        super(new SqlLibrary(Dialect.SQLITE, Map.of()));
        this.groupNanos = groupWindow.toNanos();
        this.file = file.toAbsolutePath();
        try {
            Path parent = this.file.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                createPrivately(parent, true);
            }
            if (!Files.exists(this.file)) {
                createPrivately(this.file, false);
            }
        } catch (java.io.IOException e) {
            throw new StoreException(
                    DatabaseProblem.permanentProblem(
                            "cannot create the SQLite file " + this.file + " or its folder (" + why(e)
                                    + "): fix the path in DATABASE_URL or the folder's permissions",
                            "cannot create the SQLite file or its folder: fix the path in DATABASE_URL"),
                    e);
        }
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = platform("nebula-sqlite-writer").newThread(r);
            writerThread = t;
            return t;
        });
        this.reader = Executors.newSingleThreadExecutor(platform("nebula-sqlite-reader"));
        try {
            this.writeConnection = writer.submit(() -> open(false)).get();
            this.readConnection = reader.submit(() -> open(true)).get();
            kept.put(writeConnection, new HashMap<>());
            kept.put(readConnection, new HashMap<>());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while opening " + this.file, e);
        } catch (ExecutionException e) {
            close();
            DatabaseProblem p = e.getCause() instanceof SQLException s ? diagnose(s) : null;
            throw p != null
                    ? new StoreException(p, e.getCause())
                    : new StoreException(
                            "cannot open SQLite file " + this.file + ": "
                                    + e.getCause().getMessage(),
                            e.getCause());
        }
    }

    Path file() {
        return file;
    }

    /** Writes waiting for the writer thread. */
    int queuedWrites() {
        return writes.size();
    }

    /** Write transactions committed so far. */
    long commits() {
        return commits;
    }

    /**
     * Creates a folder (0700) or an empty database file (0600) that only this user can read: the
     * file holds inputs, outputs and errors. SQLite gives its -wal and -shm files the database
     * file's permissions. File systems without POSIX permissions get their defaults.
     */
    private static void createPrivately(Path p, boolean folder) throws java.io.IOException {
        boolean posix = Files.getFileStore(existingAncestor(p)).supportsFileAttributeView("posix");
        var attrs = posix
                ? new java.nio.file.attribute.FileAttribute<?>[] {
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString(folder ? "rwx------" : "rw-------"))
                }
                : new java.nio.file.attribute.FileAttribute<?>[0];
        try {
            if (folder) {
                Files.createDirectories(p, attrs);
            } else {
                Files.createFile(p, attrs);
            }
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            // Another process created it first: it is theirs to have made, and it is there.
        }
    }

    private static Path existingAncestor(Path p) {
        Path a = p.toAbsolutePath();
        while (a != null && !Files.exists(a)) {
            a = a.getParent();
        }
        return a == null ? p.toAbsolutePath().getRoot() : a;
    }

    private static String why(java.io.IOException e) {
        return switch (e) {
            case java.nio.file.AccessDeniedException a -> "permission denied: " + a.getFile();
            case java.nio.file.FileAlreadyExistsException f -> f.getFile() + " exists and is not a folder";
            case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason() + ": " + f.getFile();
            case java.nio.file.FileSystemException f -> "cannot create " + f.getFile();
            default -> String.valueOf(e.getMessage());
        };
    }

    private static java.util.concurrent.ThreadFactory platform(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private Connection open(boolean readOnly) throws SQLException {
        SQLiteConfig c = new SQLiteConfig();
        if (!readOnly) {
            c.setJournalMode(SQLiteConfig.JournalMode.WAL);
        }
        // FULL: a commit is on disk before the call returns, so "submit returned an id" survives
        // a power loss too, not only a process crash. Claims relax it (see writeGroup).
        c.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        c.setBusyTimeout(BUSY_TIMEOUT_MS);
        c.enforceForeignKeys(true);
        // The writer takes the write lock when its transaction begins; the reader's transactions
        // (snapshots) take nothing until their first read.
        c.setTransactionMode(readOnly ? SQLiteConfig.TransactionMode.DEFERRED : SQLiteConfig.TransactionMode.IMMEDIATE);
        if (readOnly) {
            c.setReadOnly(true);
        }
        Connection conn = c.createConnection("jdbc:sqlite:" + file);
        return conn;
    }

    @Override
    protected <T> T runOnce(Mode mode, Work<T> work) throws SQLException {
        if (mode == Mode.READ || mode == Mode.SNAPSHOT) {
            return await(reader.submit(() -> {
                if (mode == Mode.READ) {
                    return work.run(session(readConnection));
                }
                readConnection.setAutoCommit(false);
                try {
                    T result = work.run(session(readConnection));
                    readConnection.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    try {
                        readConnection.rollback();
                    } catch (SQLException ignored) {
                        // nothing to roll back
                    }
                    throw e;
                } finally {
                    restoreAutoCommit(readConnection);
                }
            }));
        }
        if (Thread.currentThread() == writerThread) {
            throw new IllegalStateException(
                    "a write asked for another write from inside itself; it would wait for itself forever");
        }
        Write<T> w = new Write<>(mode, work);
        writes.add(w);
        try {
            writer.execute(this::writeQueued);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            writes.remove(w);
            throw new SQLException("the SQLite file " + file + " is closed", "08003", closed);
        }
        return await(w.done);
    }

    private static <T> T await(Future<T> f) throws SQLException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            // The statement keeps running on its thread; its outcome is unknown to us.
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for SQLite", "08000", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s) {
                throw s;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new SQLException(cause);
        }
    }

    /** A write waiting for the writer thread, and what became of it. */
    private static final class Write<T> {
        final Mode mode;
        final Work<T> work;
        final java.util.concurrent.CompletableFuture<T> done = new java.util.concurrent.CompletableFuture<>();
        T value;
        Throwable failure;

        Write(Mode mode, Work<T> work) {
            this.mode = mode;
            this.work = work;
        }

        void run(Session s) throws SQLException {
            value = work.run(s);
        }

        void finish() {
            if (failure == null) {
                done.complete(value);
            } else {
                done.completeExceptionally(failure);
            }
        }
    }

    /**
     * Runs the writes queued now, on the writer thread, committing several in one transaction
     * (group commit): a commit writes the changed pages to the log, and most wait for the disk, so
     * writes that arrive while another runs share one. Each write in a group runs inside a
     * savepoint: one that fails is rolled back alone and gets its error, the others still commit.
     * A group stops taking writes once its writes have run for the group window ({@link
     * #GROUP_WINDOW} unless the constructor was given another), so a write waits for the commit at
     * most that long after it ran (plus the longest write after it). Every write's caller is told
     * only after its transaction committed or was rolled back (or, if the rollback itself failed,
     * is rolled back before the next transaction begins).
     */
    private void writeQueued() {
        List<Write<?>> batch = new ArrayList<>();
        Write<?> next;
        while (batch.size() < MAX_GROUP && (next = writes.poll()) != null) {
            batch.add(next);
        }
        int from = 0;
        try {
            while (from < batch.size()) {
                from = writeGroup(batch, from);
            }
        } catch (Throwable t) {
            // Beginning a transaction failed (the busy timeout, an I/O error): writes not yet
            // told anything get that error; writeGroup rolls back what it began.
            for (Write<?> w : batch) {
                w.done.completeExceptionally(t);
            }
        }
    }

    /** Runs writes from {@code from} on in one transaction and commits it; the index after the last. */
    private int writeGroup(List<Write<?>> batch, int from) throws SQLException {
        Connection c = writeConnection;
        boolean full = false;
        for (int i = from; i < batch.size(); i++) {
            full |= batch.get(i).mode != Mode.CLAIM;
        }
        boolean grouped = batch.size() - from > 1;
        rollbackLeftover(c);
        syncOnCommit(c, full);
        begin(c);
        int end = from;
        long started = System.nanoTime();
        try {
            while (end < batch.size() && (end == from || System.nanoTime() - started < groupNanos)) {
                Write<?> w = batch.get(end++);
                if (!grouped) {
                    w.run(session(c));
                    continue;
                }
                control(c, "SAVEPOINT nebula_write");
                try {
                    w.run(session(c));
                    control(c, "RELEASE nebula_write");
                } catch (Throwable e) {
                    w.failure = e;
                    if (!rollbackTo(c)) {
                        // SQLite ended the whole transaction (a full disk, an I/O error): the writes
                        // before this one were rolled back too, and may be tried again.
                        failGroup(batch, from, end, e);
                        return end;
                    }
                }
            }
            control(c, "COMMIT");
            inTransaction = false;
            commits++;
        } catch (Throwable e) {
            rollbackQuietly(c);
            if (!grouped) {
                batch.get(from).failure = e;
            }
            failGroup(batch, from, end, e);
            return end;
        }
        for (int i = from; i < end; i++) {
            batch.get(i).finish();
        }
        return end;
    }

    private void begin(Connection c) throws SQLException {
        try {
            control(c, "BEGIN IMMEDIATE");
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("within a transaction")) {
                throw e;
            }
            // A transaction an earlier failure left open: roll it back and begin once more.
            control(c, "ROLLBACK");
            control(c, "BEGIN IMMEDIATE");
        }
        inTransaction = true;
    }

    /**
     * Rolls back a transaction that an earlier group could not end (its rollback failed), so that
     * none of its writes, whose callers were told they failed, is ever committed.
     */
    private void rollbackLeftover(Connection c) {
        if (inTransaction) {
            rollbackQuietly(c);
        }
    }

    /** Rolls back; the connection counts as outside a transaction once none is left. */
    private void rollbackQuietly(Connection c) {
        try {
            control(c, "ROLLBACK");
            inTransaction = false;
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("no transaction is active")) {
                inTransaction = false;
            }
            // else the next group's rollbackLeftover, or its begin, tries again
        }
    }

    /**
     * Tells writes {@code from} to {@code end} that their transaction was rolled back: a write with
     * an error of its own gets it, the others get {@code cause}'s (the commit's error), or, when
     * {@code cause} was another write's, a rolled-back error that {@link #classify} calls
     * retryable.
     */
    private static void failGroup(List<Write<?>> batch, int from, int end, Throwable cause) {
        boolean anotherWrites = false;
        for (int i = from; i < end; i++) {
            anotherWrites |= batch.get(i).failure == cause;
        }
        for (int i = from; i < end; i++) {
            Write<?> w = batch.get(i);
            if (w.failure == null) {
                w.failure = anotherWrites
                        ? new SQLException(
                                "rolled back with another write of its transaction: " + cause.getMessage(),
                                ROLLED_BACK_WITH_GROUP,
                                cause)
                        : cause;
            }
            w.done.completeExceptionally(w.failure);
        }
    }

    /** Rolls back to the current write's savepoint; false when no transaction is left. */
    private boolean rollbackTo(Connection c) {
        try {
            control(c, "ROLLBACK TO nebula_write");
            control(c, "RELEASE nebula_write");
            return true;
        } catch (SQLException e) {
            rollbackQuietly(c);
            return false;
        }
    }

    /**
     * Runs a transaction-control statement on the write connection, kept prepared. Once it ran, an
     * error in keeping the statement is dropped: a COMMIT that happened must not be reported failed.
     */
    private void control(Connection c, String sql) throws SQLException {
        PreparedStatement ps = prepare(c, sql);
        try {
            ps.execute();
        } catch (SQLException | RuntimeException e) {
            release(c, sql, ps, false);
            throw e;
        }
        try {
            release(c, sql, ps, true);
        } catch (SQLException ignored) {
            // the statement ran; release closed it
        }
    }

    /**
     * Sets whether the next commits wait for the disk. A claim's commit does not: losing it in a
     * power failure only leaves its executions available. In WAL mode the next commit that does
     * wait (a submit, a checkpoint, a completion) syncs the log up to itself, claims included, so
     * no acknowledged write can depend on a claim the disk does not have. Runs on the writer
     * thread only, outside a transaction (SQLite refuses to change it inside one).
     */
    private void syncOnCommit(Connection c, boolean full) throws SQLException {
        if (full == syncFull) {
            return;
        }
        try (java.sql.Statement st = c.createStatement()) {
            st.execute(full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
        }
        syncFull = full;
    }

    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // a broken connection: the original error is what matters
        }
    }

    @Override
    protected PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        Map<String, PreparedStatement> statements = kept.get(connection);
        PreparedStatement ps = statements == null ? null : statements.remove(sql);
        return ps != null ? ps : connection.prepareStatement(sql);
    }

    @Override
    protected void release(Connection connection, String sql, PreparedStatement statement, boolean done)
            throws SQLException {
        Map<String, PreparedStatement> statements = done ? kept.get(connection) : null;
        if (statements == null) {
            close(statement, done);
            return;
        }
        try {
            statement.clearParameters();
        } catch (SQLException e) {
            close(statement, false);
            throw e;
        }
        PreparedStatement other = statements.putIfAbsent(sql, statement);
        if (other != null) {
            statement.close();
        }
    }

    @Override
    protected Object arrayParameter(Connection connection, SqlArray array) {
        return JSON.writeValueAsString(array.values());
    }

    @Override
    protected Object rowsParameter(io.nebula.worker.queue.jdbc.SqlRows rows) {
        return JSON.writeValueAsString(rows.rows());
    }

    /**
     * A file that cannot be opened, written or read as a database is permanent (the path or its
     * permissions must change); a full disk or an I/O error may pass.
     */
    @Override
    public DatabaseProblem diagnose(SQLException e) {
        if (ROLLED_BACK_WITH_GROUP.equals(e.getSQLState()) && e.getCause() instanceof SQLException cause) {
            return diagnose(cause);
        }
        if (!(e instanceof SQLiteException s) || s.getResultCode() == null) {
            return null;
        }
        String code = s.getResultCode().name();
        String why = String.valueOf(e.getMessage());
        if (code.startsWith("SQLITE_CANTOPEN")
                || code.startsWith("SQLITE_NOTADB")
                || code.startsWith("SQLITE_READONLY")
                || code.startsWith("SQLITE_PERM")
                || code.startsWith("SQLITE_AUTH")
                || code.startsWith("SQLITE_CORRUPT")) {
            return DatabaseProblem.permanentProblem(
                    "cannot use the SQLite file " + file + " (" + why + "): fix the path in DATABASE_URL, or the"
                            + " file's permissions",
                    "cannot use the SQLite file (" + code + "): fix the path in DATABASE_URL or its permissions");
        }
        if (code.startsWith("SQLITE_FULL") || code.startsWith("SQLITE_IOERR")) {
            return DatabaseProblem.transientProblem(
                    "cannot write the SQLite file " + file + " (" + why + "): free disk space or fix the disk",
                    "cannot write the SQLite file (" + code + ")");
        }
        return null;
    }

    @Override
    protected int nullType() {
        return Types.NULL;
    }

    @Override
    protected Transience classify(SQLException e) {
        if (ROLLED_BACK_WITH_GROUP.equals(e.getSQLState())) {
            return Transience.ROLLED_BACK;
        }
        if (e instanceof SQLiteException s) {
            SQLiteErrorCode code = s.getResultCode();
            if (code != null
                    && (code.name().startsWith("SQLITE_BUSY") || code.name().startsWith("SQLITE_LOCKED"))) {
                return Transience.ROLLED_BACK;
            }
        }
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("SQLITE_BUSY") || msg.contains("database is locked")) {
            return Transience.ROLLED_BACK;
        }
        return Transience.PERMANENT;
    }

    @Override
    public void close() {
        closeOn(writer, writeConnection);
        closeOn(reader, readConnection);
        Write<?> left;
        while ((left = writes.poll()) != null) {
            left.done.completeExceptionally(
                    new SQLException("the SQLite file " + file + " was closed before this write ran", "08003"));
        }
    }

    private static void closeOn(ExecutorService ex, Connection c) {
        if (c != null && !ex.isShutdown()) {
            try {
                ex.submit(() -> {
                            c.close();
                            return null;
                        })
                        .get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        ex.shutdownNow();
    }
}
