package io.nebula.worker.faults;

import io.nebula.worker.testing.WorkerProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * Polls {@code /health} and {@code /ready} of every live worker every {@code period} on its own
 * thread and keeps what each answered, so a test can say afterwards whether liveness ever failed
 * and when readiness dropped and came back.
 */
public final class HealthWatch implements AutoCloseable {
    /** One probe of one worker; -1 when nothing answered. */
    public record Probe(Instant at, WorkerProcess worker, int health, int ready) {}

    private final List<Probe> probes = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;

    public HealthWatch(Supplier<List<WorkerProcess>> workers, Duration period) {
        thread = Thread.ofPlatform().daemon().name("health-watch").start(() -> {
            while (running) {
                for (WorkerProcess w : workers.get()) {
                    if (w.alive()) {
                        probes.add(new Probe(Instant.now(), w, w.status("/health"), w.status("/ready")));
                    }
                }
                try {
                    Thread.sleep(period);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    public List<Probe> probes() {
        synchronized (probes) {
            return List.copyOf(probes);
        }
    }

    /** Probes taken between {@code from} and {@code to} (local clock). */
    public List<Probe> between(Instant from, Instant to) {
        return probes().stream()
                .filter(p -> !p.at().isBefore(from) && !p.at().isAfter(to))
                .toList();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
