package io.nebula.worker.queue.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how long a pooled connection may wait for the server within one database call: a call
 * whose current statement (or commit) has waited longer than the timeout has its connection
 * aborted, which closes the socket, so the waiting thread fails at once with a connection error
 * (and the pool drops the connection), as a socket read timeout would have made it fail.
 *
 * <p>One thread checks every call in progress a few times per timeout, in place of a timer per
 * socket read: on a virtual thread, a read with a socket timeout schedules a timeout task and
 * cancels it again on every wait for the server, and waking the JDK's scheduler thread for each
 * took a tenth of the worker's CPU in a drain (see docs/PERFORMANCE.md, "Socket reads without a
 * timer").
 */
final class CallWatchdog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CallWatchdog.class);

    /** A call in progress on one connection, and when its current wait must end. */
    static final class Call {
        private final Connection connection;
        private volatile long deadlineNanos;
        private volatile boolean aborted;
        /** Guarded by this call: once set, the watchdog no longer touches the connection. */
        private boolean ended;

        private Call(Connection connection, long deadlineNanos) {
            this.connection = connection;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private final long timeoutNanos;
    private final long tickNanos;
    private final Map<Connection, Call> calls = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** @param timeout how long one statement or commit may wait for the server */
    CallWatchdog(Duration timeout, String name) {
        this.timeoutNanos = timeout.toNanos();
        // Checked ten times per timeout, at most once every 50 ms and at least once a second: a
        // call is cut between one and 1.1 timeouts after its wait began.
        this.tickNanos = Math.clamp(
                timeoutNanos / 10,
                Duration.ofMillis(50).toNanos(),
                Duration.ofSeconds(1).toNanos());
        this.thread = Thread.ofPlatform().daemon().name(name).start(this::loop);
    }

    /** Starts watching a call on {@code connection}; its first wait begins now. */
    Call begin(Connection connection) {
        Call c = new Call(connection, System.nanoTime() + timeoutNanos);
        calls.put(connection, c);
        return c;
    }

    /** A new statement (or the commit) of the call on {@code connection} begins its wait now. */
    void renew(Connection connection) {
        Call c = calls.get(connection);
        if (c != null) {
            c.deadlineNanos = System.nanoTime() + timeoutNanos;
        }
    }

    /** The call ended; whether the watchdog aborted its connection. */
    boolean end(Call call) {
        synchronized (call) {
            call.ended = true;
        }
        calls.remove(call.connection, call);
        return call.aborted;
    }

    private void loop() {
        while (running) {
            LockSupport.parkNanos(tickNanos);
            long now = System.nanoTime();
            for (Call c : calls.values()) {
                if (!c.aborted && now - c.deadlineNanos > 0) {
                    abort(c);
                }
            }
        }
    }

    private void abort(Call c) {
        synchronized (c) {
            if (c.ended) {
                return;
            }
            c.aborted = true;
            try {
                // Closes the socket at once on this thread; the caller's read then fails.
                ((Connection) c.connection.unwrap(PGConnection.class)).abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                log.warn("could not close the connection of a stalled call: {}", e.toString());
            }
        }
        log.warn(
                "a database call waited longer than {} ms for the server; closing its connection",
                Duration.ofNanos(timeoutNanos).toMillis());
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }
}
