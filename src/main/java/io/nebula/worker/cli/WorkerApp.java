package io.nebula.worker.cli;

import io.nebula.worker.app.NebulaWorker;
import io.nebula.worker.config.DatabaseUrl;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.console.ConsoleServer;
import io.nebula.worker.http.HealthServer;
import io.nebula.worker.observe.PrometheusMetrics;
import io.nebula.worker.observe.TracingListener;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.StoreException;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The worker process: opens the configured store, starts the pool, the health port and (when
 * {@code console.enabled}) the web console, and stops
 * gracefully on SIGTERM or SIGINT (a second signal cuts the grace period short). Returns 0 after a
 * clean stop, in the documented shutdown order.
 */
public final class WorkerApp implements WorkerStarter {
    private static final Logger log = LoggerFactory.getLogger(WorkerApp.class);

    /**
     * A running worker process: the worker, its metrics, its health server and, when {@code
     * console.enabled}, the web console.
     */
    public record Running(NebulaWorker worker, PrometheusMetrics metrics, HealthServer health, ConsoleServer console)
            implements AutoCloseable {
        @Override
        public void close() {
            worker.stop();
            if (health != null) {
                health.close();
            }
            if (console != null) {
                console.close();
            }
        }
    }

    /** Builds and starts everything the configuration asks for; the caller stops it. */
    public static Running start(WorkerConfig config, List<WorkerListener> extraListeners) throws Exception {
        return start(config, extraListeners, System::getenv);
    }

    /**
     * As {@link #start(WorkerConfig, List)}, reading environment secrets through {@code env}
     * instead of the process's environment.
     */
    public static Running start(
            WorkerConfig config, List<WorkerListener> extraListeners, java.util.function.Function<String, String> env)
            throws Exception {
        // The lease owner's id, as the worker's own threads log it (the pool id with host and pid).
        MDC.put(
                "worker_id",
                io.nebula.worker.config.WorkerIds.instanceId(config.worker().workerId()));
        switch (config.database().url()) {
            case DatabaseUrl.Sqlite s -> log.info("store: embedded SQLite file {}", s.file());
            case DatabaseUrl.Postgres pg -> log.info("store: PostgreSQL {}", pg.redacted());
        }
        List<WorkerListener> listeners = new ArrayList<>(extraListeners);
        NebulaWorker[] holder = new NebulaWorker[1];
        PrometheusMetrics metrics = null;
        if (config.health().metrics()) {
            metrics = new PrometheusMetrics(
                    () -> holder[0] == null ? 0 : holder[0].worker().activeJobs(),
                    config.worker().concurrency(),
                    () -> holder[0] == null
                            ? java.util.Map.of()
                            : holder[0].store().connectionPoolUsage(),
                    config.worker().queues());
            listeners.add(metrics);
        }
        if (config.tracing().enabled()) {
            listeners.add(new TracingListener());
        }
        NebulaWorker worker = NebulaWorker.builder()
                .config(config)
                .env(env)
                .listener(WorkerListener.compose(listeners))
                .version(Version.current())
                .build();
        holder[0] = worker;
        if (metrics != null) {
            metrics.tracing(worker.tracing());
        }
        if (worker.tracing().enabled()) {
            log.info(
                    "tracing: OpenTelemetry spans to {}",
                    io.nebula.worker.redact.Redaction.url(
                            java.net.URI.create(config.tracing().otel().endpoint())));
        }
        HealthServer health = null;
        ConsoleServer console = null;
        try {
            if (config.health().enabled()) {
                try {
                    health = new HealthServer(
                            config.health().bind(), config.health().port(), worker.worker(), metrics);
                } catch (IOException | RuntimeException e) {
                    throw bindFailure(config.health(), e);
                }
                health.start();
            }
            if (config.console().enabled()) {
                try {
                    console = ConsoleServer.start(
                            config.console(),
                            worker.store(),
                            worker.workflows(),
                            config.worker().heartbeatInterval().multipliedBy(3),
                            ConsoleCommand.storeLabel(config),
                            Version.current());
                } catch (BindException e) {
                    throw ConsoleCommand.bindFailure(e, "");
                }
            }
            worker.start();
        } catch (Exception | Error e) {
            if (console != null) {
                console.close();
            }
            if (health != null) {
                health.close();
            }
            worker.close();
            throw e;
        }
        return new Running(worker, metrics, health, console);
    }

    /**
     * Why the health port could not be opened, naming the port, the address and the settings that
     * choose them (exit code 2: the configuration asks for something this machine cannot give).
     */
    static CommandFailure bindFailure(WorkerConfig.Health h, Exception e) {
        String where = h.bind() + ":" + h.port();
        String why;
        if (e instanceof BindException) {
            why = "health port " + h.port() + " on " + h.bind() + " is already in use (or not allowed)";
        } else if (e instanceof UnresolvedAddressException
                || e instanceof IllegalArgumentException
                || e instanceof SocketException) {
            why = "cannot open the health port at " + where + ": " + e.getMessage();
        } else {
            why = "cannot open the health port at " + where + ": " + e;
        }
        return new CommandFailure(
                ExitCode.USAGE,
                why + "; choose another port with --health-port, HEALTH_PORT or health.port (0 picks a free one),"
                        + " another address with health.bind, or turn the server off with health.enabled = false");
    }

    @Override
    public int run(WorkerConfig config) throws Exception {
        Running running = start(config, List.of());
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicInteger signals = new AtomicInteger();
        Runnable onSignal = () -> {
            if (signals.incrementAndGet() == 1) {
                log.info("shutdown requested; stopping gracefully (send the signal again to skip the grace period)");
                Thread.ofPlatform().name("nebula-shutdown").start(() -> {
                    running.close();
                    stopped.countDown();
                });
            } else {
                log.info("second signal: releasing running executions now");
                running.worker().worker().shortenShutdown();
            }
        };
        Signals.onTermination(onSignal);
        // A database that is wrong for good (no such database, refused credentials, unknown host)
        // ends the process at start with exit code 2, instead of a worker retrying forever.
        AtomicReference<Throwable> failed = new AtomicReference<>();
        running.worker().worker().startup().whenComplete((ok, e) -> {
            if (e != null) {
                failed.set(e);
                stopped.countDown();
            }
        });
        stopped.await();
        Throwable e = failed.get();
        if (e != null) {
            running.close();
            String why = e instanceof StoreException se ? se.getMessage() : String.valueOf(e);
            throw new CommandFailure(ExitCode.USAGE, "cannot start: " + why);
        }
        int unreleased = running.worker().worker().unreleasedAtStop();
        if (unreleased > 0) {
            log.warn(
                    "nebula-worker stopped; {} executions were left to their leases (their release could not be"
                            + " written)",
                    unreleased);
        } else {
            log.info("nebula-worker stopped cleanly");
        }
        return Main.OK;
    }
}
