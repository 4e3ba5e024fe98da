package io.nebula.worker.faults;

import io.nebula.worker.testing.WorkerProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Breaks things on a seeded random schedule: {@code kill -9} of a worker (restarted after a short
 * pause), SIGSTOP past the lease then SIGCONT, SIGTERM (restarted after it exits), termination of
 * a worker's database connections (all, or only its listener), and restarts of PostgreSQL. Every
 * fault is written to the {@code faults} table first, so it is stamped with the database clock
 * the history uses. The same seed gives the same sequence of choices (targets, gaps, durations),
 * though not the same timing: the machine is shared and the workers are real.
 *
 * <p>It only ever touches processes its {@link Fleet} started, and database connections whose
 * {@code application_name} carries one of those processes' ids.
 */
public final class Nemesis implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Nemesis.class);

    /** The kinds of fault, named as the {@code faults} table names them. */
    public enum Kind {
        KILL("kill -9"),
        PAUSE("sigstop"),
        TERM("sigterm"),
        DROP_CONNECTIONS("drop connections"),
        DROP_LISTENER("drop listener"),
        PG_RESTART_FAST("postgres restart fast"),
        PG_RESTART_IMMEDIATE("postgres restart immediate");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** A pause of one process: when, and where its log stood when it was resumed. */
    public record Pause(
            WorkerProcess worker, String instanceId, Instant pausedAt, Instant resumedAt, long resumeOffset) {}

    private final long seed;
    private final Random random;
    private final Fleet fleet;
    private final TestStore store;
    private final Optional<PostgresServer> postgres;
    private final Map<Kind, Integer> injected = Collections.synchronizedMap(new EnumMap<>(Kind.class));
    private final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    private final List<Pause> pauses = Collections.synchronizedList(new ArrayList<>());
    private Duration pauseFor = Duration.ofSeconds(12);
    private Duration postgresDown = Duration.ofSeconds(3);
    private volatile boolean running;
    private Thread thread;

    public Nemesis(long seed, Fleet fleet, TestStore store) {
        this.seed = seed;
        this.random = new Random(seed);
        this.fleet = fleet;
        this.store = store;
        this.postgres = store.dialect().equals("postgres") ? PostgresServer.local() : Optional.empty();
    }

    public long seed() {
        return seed;
    }

    /** How long a SIGSTOP lasts (long enough for the lease to expire and be rescued). */
    public Nemesis pauseFor(Duration d) {
        this.pauseFor = d;
        return this;
    }

    /** How long PostgreSQL stays down in a restart. */
    public Nemesis postgresDown(Duration d) {
        this.postgresDown = d;
        return this;
    }

    public Map<Kind, Integer> injected() {
        synchronized (injected) {
            return Map.copyOf(injected);
        }
    }

    public List<Throwable> errors() {
        return List.copyOf(errors);
    }

    public List<Pause> pauses() {
        return List.copyOf(pauses);
    }

    /** Injects one of {@code kinds} every {@code minGap} to {@code maxGap}, until {@link #stop()}. */
    public void start(List<Kind> kinds, Duration minGap, Duration maxGap) {
        running = true;
        log.info("nemesis seed={} kinds={}", seed, kinds);
        thread = Thread.ofPlatform().name("nemesis").start(() -> {
            while (running) {
                long gap = minGap.toMillis()
                        + (maxGap.compareTo(minGap) > 0 ? nextInt((int) (maxGap.toMillis() - minGap.toMillis())) : 0);
                try {
                    Thread.sleep(gap);
                } catch (InterruptedException e) {
                    return;
                }
                if (!running) {
                    return;
                }
                Kind k = kinds.get(nextInt(kinds.size()));
                try {
                    inject(k);
                } catch (RuntimeException | AssertionError e) {
                    log.warn("nemesis: {} failed", k, e);
                    errors.add(e);
                }
            }
        });
    }

    private synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** Stops the schedule after the fault in progress (and its recovery) is done. */
    public void stop() {
        running = false;
        if (thread != null) {
            try {
                thread.join(Duration.ofMinutes(3));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Injects one fault of kind {@code k} against a randomly chosen live worker. */
    public void inject(Kind k) {
        List<WorkerProcess> live = fleet.live();
        if (live.isEmpty() && k != Kind.PG_RESTART_FAST && k != Kind.PG_RESTART_IMMEDIATE) {
            return;
        }
        WorkerProcess target = live.isEmpty() ? null : live.get(nextInt(live.size()));
        switch (k) {
            case KILL -> {
                kill(target);
                sleep(Duration.ofMillis(300 + nextInt(1_200)));
                fleet.restart(target.name());
            }
            case PAUSE -> pause(target, pauseFor);
            case TERM -> {
                terminate(target);
                target.awaitExit(Duration.ofSeconds(60));
                fleet.restart(target.name());
            }
            case DROP_CONNECTIONS -> dropConnections(target, null);
            case DROP_LISTENER -> dropConnections(target, "listen");
            case PG_RESTART_FAST -> restartPostgres("fast");
            case PG_RESTART_IMMEDIATE -> restartPostgres("immediate");
        }
    }

    private void count(Kind k) {
        injected.merge(k, 1, Integer::sum);
    }

    /** {@code kill -9}; returns the database time just before the signal. */
    public Instant kill(WorkerProcess w) {
        Instant at = store.recordFault(Kind.KILL.label, w.instanceId(), "pid " + w.pid());
        w.kill();
        count(Kind.KILL);
        log.info("nemesis: killed {}", w);
        return at;
    }

    /** SIGTERM; returns the database time just before the signal. */
    public Instant terminate(WorkerProcess w) {
        Instant at = store.recordFault(Kind.TERM.label, w.instanceId(), "pid " + w.pid());
        w.terminate();
        count(Kind.TERM);
        log.info("nemesis: sent SIGTERM to {}", w);
        return at;
    }

    /** SIGSTOP for {@code d}, then SIGCONT. */
    public Pause pause(WorkerProcess w, Duration d) {
        Instant paused = store.recordFault(Kind.PAUSE.label, w.instanceId(), "pid " + w.pid() + " for " + d);
        w.pause();
        count(Kind.PAUSE);
        log.info("nemesis: paused {} for {}", w, d);
        sleep(d);
        long offset = w.logSize();
        // Resume before writing the fault: a frozen process may hold SQLite's write lock.
        w.resume();
        Instant resumed = store.recordFault("sigcont", w.instanceId(), "pid " + w.pid());
        Pause p = new Pause(w, w.instanceId(), paused, resumed, offset);
        pauses.add(p);
        return p;
    }

    /**
     * Terminates the database connections of {@code w}: every one, or only those of {@code role}
     * ({@code pool}, {@code listen}, {@code heartbeat}).
     */
    public List<String> dropConnections(WorkerProcess w, String role) {
        String pattern = "nebula-worker/" + w.instanceId() + "/" + (role == null ? "%" : role);
        Kind kind = role == null ? Kind.DROP_CONNECTIONS : Kind.DROP_LISTENER;
        store.recordFault(kind.label, w.instanceId(), pattern);
        List<String> ended = PostgresServer.terminate(pattern);
        count(kind);
        log.info("nemesis: terminated {} connections of {}: {}", ended.size(), w, ended);
        return ended;
    }

    /** Stops PostgreSQL ({@code fast} or {@code immediate}), keeps it down a while, starts it. */
    public void restartPostgres(String mode) {
        PostgresServer pg = postgres.orElseThrow(() -> new IllegalStateException("no local PostgreSQL to restart"));
        Kind kind = mode.equals("fast") ? Kind.PG_RESTART_FAST : Kind.PG_RESTART_IMMEDIATE;
        store.recordFault(kind.label, "postgres", "stopping for " + postgresDown);
        try {
            pg.stop(mode);
            count(kind);
            log.info("nemesis: PostgreSQL stopped ({})", mode);
            sleep(postgresDown);
        } finally {
            pg.ensureRunning();
        }
        store.recordFault("postgres started", "postgres", "after " + mode + " stop");
        log.info("nemesis: PostgreSQL started again");
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        stop();
        postgres.ifPresent(PostgresServer::ensureRunning);
    }
}
