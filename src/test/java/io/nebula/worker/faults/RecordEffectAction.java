package io.nebula.worker.faults;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code faults.record}, a test-only action with an external side effect: each run appends one
 * row, carrying the node's idempotency key, to a table outside the queue (PostgreSQL, when {@value
 * #JDBC_ENV} names a JDBC URL) or one line to a file (SQLite tests, {@value #FILE_ENV}). The fault
 * checker counts these rows: more than one per key means the node ran again, which the contract
 * allows only for a node in flight when its worker died or lost its lease.
 *
 * <p>With {@code hold_ms} it then waits that long before returning, like a remote call whose effect
 * happened but whose answer is slow: a worker that dies meanwhile leaves the effect without its
 * checkpoint, and the node's next run repeats it (the duplicate the contract allows).
 *
 * <p>One run writes at most one row even when the database connection breaks mid-insert: the row
 * carries a token drawn once per run, and a retried insert of the same token does nothing. So a
 * duplicate key always means a second run of the node, never a resent insert.
 */
public final class RecordEffectAction implements Action {
    static final String JDBC_ENV = "NEBULA_FAULTS_EFFECTS_JDBC";
    static final String FILE_ENV = "NEBULA_FAULTS_EFFECTS_FILE";
    private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(30);
    private static final String INSERT = "INSERT INTO side_effects"
            + " (token, idempotency_key, execution_id, node_id, attempt, node_try, pid)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (token) DO NOTHING";

    /** One connection per process, reopened after a failure. */
    private static final ReentrantLock LOCK = new ReentrantLock();

    private static Connection connection;

    @Override
    public String name() {
        return "faults.record";
    }

    @Override
    public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException, InterruptedException {
        String token = UUID.randomUUID().toString();
        long pid = ProcessHandle.current().pid();
        String jdbc = System.getenv(JDBC_ENV);
        String file = System.getenv(FILE_ENV);
        if (jdbc != null && !jdbc.isBlank()) {
            insert(jdbc, token, pid, ctx);
        } else if (file != null && !file.isBlank()) {
            append(Path.of(file), token, pid, ctx);
        }
        long hold = params != null && params.hasNonNull("hold_ms")
                ? params.get("hold_ms").asLong()
                : 0;
        if (hold > 0) {
            Thread.sleep(hold);
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("key", ctx.idempotencyKey());
        return out;
    }

    private static void insert(String jdbc, String token, long pid, ActionContext ctx)
            throws ActionException, InterruptedException {
        long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
        long pause = 50;
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (Thread.currentThread().isInterrupted() || ctx.isCancelled()) {
                throw new InterruptedException("stopped while recording " + ctx.idempotencyKey());
            }
            LOCK.lockInterruptibly();
            try {
                if (connection == null) {
                    connection = DriverManager.getConnection(jdbc);
                }
                try (PreparedStatement ps = connection.prepareStatement(INSERT)) {
                    ps.setString(1, token);
                    ps.setString(2, ctx.idempotencyKey());
                    ps.setLong(3, ctx.executionId());
                    ps.setString(4, ctx.nodeId());
                    ps.setInt(5, ctx.attempt());
                    ps.setInt(6, ctx.nodeAttempt());
                    ps.setLong(7, pid);
                    ps.executeUpdate();
                }
                return;
            } catch (SQLException e) {
                last = e;
                closeQuietly();
            } finally {
                LOCK.unlock();
            }
            Thread.sleep(pause);
            pause = Math.min(1_000, pause * 2);
        }
        throw ActionException.retryable("could not record the side effect: " + last);
    }

    private static void closeQuietly() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // already broken
        }
        connection = null;
    }

    private static void append(Path file, String token, long pid, ActionContext ctx) throws ActionException {
        String line =
                token + " " + ctx.idempotencyKey() + " " + ctx.attempt() + " " + ctx.nodeAttempt() + " " + pid + "\n";
        try {
            // One small O_APPEND write: lines from several processes never interleave.
            Files.write(
                    file,
                    line.getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw ActionException.retryable("could not record the side effect: " + e.getMessage());
        }
    }
}
