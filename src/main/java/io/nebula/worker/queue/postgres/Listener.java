package io.nebula.worker.queue.postgres;

import io.nebula.worker.queue.jdbc.SqlScript;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives NOTIFY wake-ups on a dedicated connection. pgjdbc cannot deliver notifications
 * asynchronously, so a platform thread polls {@code getNotifications(timeout)}. A dead socket is
 * only noticed on I/O, so the thread also runs a cheap query every few seconds. After every
 * (re)connect it wakes the claimer once, to catch up on notifications missed while disconnected.
 * It also hands on the ids of parents whose wake-up a child's end could not make (see {@link
 * ParentWakes}); one missed while disconnected is left to the parent's look-again delay.
 */
final class Listener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Listener.class);
    private static final int WAIT_MS = 500;
    private static final long CHECK_EVERY_NANOS = 5_000_000_000L;

    private final PostgresDatabase db;
    private final Set<String> queues;
    private final Runnable onWake;
    private final String parentChannel;
    private final LongConsumer onParentEnded;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile Connection connection;

    /**
     * @param onParentEnded called on this listener's thread with the id of a parent whose wake-up a
     *     child's end passed on; it must not block
     */
    Listener(
            PostgresDatabase db,
            Set<String> queues,
            Runnable onWake,
            String parentChannel,
            LongConsumer onParentEnded) {
        this.db = db;
        this.queues = queues;
        this.onWake = onWake;
        this.parentChannel = parentChannel;
        this.onParentEnded = onParentEnded;
        this.thread = new Thread(this::loop, "nebula-listen");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean connected() {
        return connected;
    }

    private void loop() {
        long backoff = 100;
        while (running) {
            try (Connection c = db.openListener()) {
                connection = c;
                SqlScript listen = db.sql().get("wakeup_listen");
                try (Statement st = c.createStatement()) {
                    for (SqlScript.Statement each : listen.statements()) {
                        st.execute(each.sql());
                    }
                }
                connected = true;
                backoff = 100;
                log.debug("listening for wake-ups queues={}", queues);
                onWake.run();
                receive(c);
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn(
                            "wake-up listener disconnected; polling continues, reconnecting in {} ms: {}",
                            backoff,
                            e.getMessage());
                }
            } finally {
                connected = false;
                connection = null;
            }
            if (!running) {
                break;
            }
            try {
                Thread.sleep(backoff + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
            } catch (InterruptedException e) {
                break;
            }
            backoff = Math.min(5_000, backoff * 2);
        }
    }

    private void receive(Connection c) throws SQLException {
        PGConnection pgc = c.unwrap(PGConnection.class);
        String check = db.sql().get("listener_check").statements().get(0).sql();
        long lastCheck = System.nanoTime();
        while (running) {
            PGNotification[] ns = pgc.getNotifications(WAIT_MS);
            if (ns != null && ns.length > 0) {
                boolean woken = false;
                for (PGNotification n : ns) {
                    if (parentChannel.equals(n.getName())) {
                        parentEnded(n.getParameter());
                    } else if (!woken && queues.contains(n.getParameter())) {
                        onWake.run();
                        woken = true;
                    }
                }
            }
            if (System.nanoTime() - lastCheck > CHECK_EVERY_NANOS) {
                try (Statement st = c.createStatement()) {
                    st.execute(check);
                }
                lastCheck = System.nanoTime();
            }
        }
    }

    private void parentEnded(String payload) {
        try {
            onParentEnded.accept(Long.parseLong(payload));
        } catch (NumberFormatException e) {
            log.debug("ignoring a parent wake-up that names no execution payload={}", payload);
        }
    }

    @Override
    public void close() {
        running = false;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
