package io.nebula.worker.faults;

import io.nebula.worker.faults.History.WorkerRecord;
import io.nebula.worker.testing.PrometheusText;
import io.nebula.worker.testing.WorkerLauncher;
import io.nebula.worker.testing.WorkerProcess;
import io.nebula.worker.testing.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker processes of one run, by name: starts them (in parallel, then waits for readiness),
 * restarts one after a fault, and at the end scrapes each idle survivor's metrics before stopping
 * it gracefully, so the checker can compare counters with the database. An optional supervisor
 * restarts any worker that died, as systemd or Kubernetes would (for actions that kill their JVM).
 */
public final class Fleet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Fleet.class);
    static final Duration READY = Duration.ofSeconds(90);

    private final WorkerLauncher launcher;
    private final TestStore store;
    private final WorkerSettings settings;
    private final Map<String, WorkerProcess> current = new LinkedHashMap<>();
    private final Map<WorkerProcess, Map<String, PrometheusText.Family>> finalMetrics = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> envByName = new HashMap<>();
    private volatile Thread supervisor;
    private volatile boolean supervising;

    public Fleet(WorkerLauncher launcher, TestStore store, WorkerSettings base) {
        this.launcher = launcher;
        this.store = store;
        WorkerSettings s = base;
        for (var e : store.workerSettings().entrySet()) {
            s = s.with(e.getKey(), e.getValue());
        }
        this.settings = s;
    }

    public WorkerSettings settings() {
        return settings;
    }

    /** Starts workers named {@code names} side by side and waits until every one is ready. */
    public List<WorkerProcess> start(String... names) {
        List<WorkerProcess> started = new ArrayList<>();
        for (String n : names) {
            started.add(launch(n, settings, Map.of()));
        }
        started.forEach(w -> w.awaitReady(READY));
        return started;
    }

    /** Starts one worker with its own settings or extra environment (not yet ready). */
    public synchronized WorkerProcess launch(String name, WorkerSettings s, Map<String, String> env) {
        WorkerProcess w = launcher.start(name, s, env);
        current.put(name, w);
        envByName.put(name, env);
        return w;
    }

    /** Starts {@code name} again with its last settings and waits until it is ready. */
    public WorkerProcess restart(String name) {
        WorkerProcess old;
        synchronized (this) {
            old = current.get(name);
        }
        WorkerProcess w = launch(name, old == null ? settings : old.settings(), envByName.getOrDefault(name, Map.of()));
        return w.awaitReady(READY);
    }

    public synchronized WorkerProcess get(String name) {
        return current.get(name);
    }

    /** The current process of every name that is alive. */
    public synchronized List<WorkerProcess> live() {
        return current.values().stream().filter(WorkerProcess::alive).toList();
    }

    public synchronized List<String> names() {
        return List.copyOf(current.keySet());
    }

    /**
     * Restarts every worker that dies, until {@link #stopSupervising()}. A worker halted by {@link
     * HaltAction} is logged as a fault (stamped when the supervisor noticed).
     */
    public void superviseRestarts() {
        supervising = true;
        supervisor = Thread.ofPlatform().daemon().name("fleet-supervisor").start(() -> {
            while (supervising) {
                for (String n : names()) {
                    WorkerProcess w = get(n);
                    if (supervising && w != null && !w.alive()) {
                        log.info("supervisor: {} exited with {}, restarting", w, w.exitCode());
                        try {
                            if (w.exitCode() == HaltAction.EXIT_STATUS) {
                                store.recordFault("jvm halted by an action", w.instanceId(), "pid " + w.pid());
                            }
                            restart(n);
                        } catch (RuntimeException | AssertionError e) {
                            log.warn("supervisor: restart of {} failed: {}", n, e.toString());
                        }
                    }
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    public void stopSupervising() {
        supervising = false;
        Thread t = supervisor;
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(120));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Ends the run: scrapes every live worker's metrics (they are idle once the queue has
     * drained, so the counters are final), then stops each with SIGTERM and checks it exits 0.
     */
    public void stopAll() {
        stopSupervising();
        List<WorkerProcess> live = live();
        for (WorkerProcess w : live) {
            finalMetrics.put(w, w.metrics());
        }
        live.forEach(WorkerProcess::terminate);
        for (WorkerProcess w : live) {
            int code = w.awaitExit(Duration.ofSeconds(60));
            if (code != 0) {
                throw new AssertionError(w + " exited with " + code + " after SIGTERM:\n" + w.tail(30));
            }
        }
    }

    /** What each process ever started believed, for the checker. */
    public List<WorkerRecord> records() {
        List<WorkerRecord> out = new ArrayList<>();
        for (WorkerProcess w : launcher.started()) {
            String instance;
            try {
                instance = w.instanceId();
            } catch (AssertionError | RuntimeException e) {
                instance = w.name() + "@unknown-" + w.pid();
            }
            out.add(new WorkerRecord(
                    w.name(),
                    w.generation(),
                    w.pid(),
                    instance,
                    w.killed() || w.exitCode() == HaltAction.EXIT_STATUS,
                    w.log(),
                    finalMetrics.get(w)));
        }
        return out;
    }

    public List<WorkerProcess> all() {
        return launcher.started();
    }

    @Override
    public void close() {
        stopSupervising();
        launcher.close();
    }
}
