package io.nebula.worker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One worker JVM started by {@link WorkerLauncher}: its pid, log, health port and the signals a
 * fault-injection test sends it. {@link #kill()} is {@code kill -9}; {@link #terminate()} is
 * SIGTERM (a graceful stop); {@link #pause()} and {@link #resume()} are SIGSTOP and SIGCONT.
 * Every wait is bounded and fails with the tail of the worker's log, so a broken start explains
 * itself.
 */
public final class WorkerProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(1))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final String name;
    private final int generation;
    private final Process process;
    private final Path log;
    private final WorkerSettings settings;
    private final Instant startedAt = Instant.now();
    private volatile int healthPort = -1;
    private volatile String instanceId;
    private volatile boolean paused;
    private volatile boolean killed;

    WorkerProcess(String name, int generation, Process process, Path log, WorkerSettings settings) {
        this.name = name;
        this.generation = generation;
        this.process = process;
        this.log = log;
        this.settings = settings;
    }

    /** The pool id given with {@code --worker-id}. */
    public String name() {
        return name;
    }

    /** 1 for the first process of this name, 2 after one restart, and so on. */
    public int generation() {
        return generation;
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return log;
    }

    public WorkerSettings settings() {
        return settings;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** Whether this process was ended by {@link #kill()} (its counters died with it). */
    public boolean killed() {
        return killed;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The log as written so far. */
    public WorkerLog log() {
        return WorkerLog.read(log);
    }

    /** Bytes of log written so far; pass to {@link WorkerLog#after(long)}. */
    public long logSize() {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines of the log, for failure messages. */
    public String tail(int lines) {
        try {
            if (!Files.exists(log)) {
                return "(no log)";
            }
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** The address the health server binds ({@code health.bind}), or loopback when it binds every address. */
    private String healthHost() {
        Object bind = settings.get("health.bind");
        String b = bind == null ? "" : bind.toString();
        return b.isEmpty() || b.equals("0.0.0.0") || b.equals("::") ? "127.0.0.1" : b;
    }

    /** The health server's port, read from the log (the worker binds port 0). */
    public int healthPort() {
        if (healthPort < 0) {
            String line = awaitLog("health server listening", Duration.ofSeconds(90));
            healthPort = Integer.parseInt(line.replaceAll(".*port=(\\d+).*", "$1"));
        }
        return healthPort;
    }

    /**
     * This process's unique lease owner ({@code <pool id>@<host>-<pid>}), as the store records it
     * in {@code lease_owner} and history rows.
     */
    public String instanceId() {
        if (instanceId == null) {
            awaitLog("worker started", Duration.ofSeconds(90));
            instanceId = log().first(e -> e.msg().startsWith("worker started"))
                    .map(e -> e.text("worker_id"))
                    .orElseThrow();
        }
        return instanceId;
    }

    private String awaitLog(String prefix, Duration max) {
        String[] found = new String[1];
        try {
            Awaitility.await("worker " + name + " to log '" + prefix + "'")
                    .atMost(max)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        var hit = log().first(e -> e.msg().startsWith(prefix));
                        if (hit.isPresent()) {
                            found[0] = hit.get().msg();
                            return true;
                        }
                        if (!process.isAlive()) {
                            throw new IllegalStateException("worker " + name + " exited with " + process.exitValue()
                                    + " before logging '" + prefix + "':\n" + tail(40));
                        }
                        return false;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("worker " + name + " never logged '" + prefix + "':\n" + tail(40), e);
        }
        return found[0];
    }

    /** Waits until {@code GET /ready} answers 200. */
    public WorkerProcess awaitReady(Duration max) {
        instanceId();
        try {
            Awaitility.await("worker " + name + " ready")
                    .atMost(max)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException(
                                    "worker " + name + " exited with " + process.exitValue() + ":\n" + tail(40));
                        }
                        return status("/ready") == 200;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("worker " + name + " not ready:\n" + tail(40), e);
        }
        return this;
    }

    /** The HTTP status of {@code GET path} on the health port, or -1 when nothing answers. */
    public int status(String path) {
        try {
            return get(path).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    public HttpResponse<String> get(String path) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + healthHost() + ":" + healthPort() + path))
                .timeout(Duration.ofSeconds(3))
                .GET()
                .build();
        try {
            return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Scrapes and strictly parses {@code /metrics}. */
    public Map<String, PrometheusText.Family> metrics() {
        try {
            HttpResponse<String> r = get("/metrics");
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET /metrics answered " + r.statusCode());
            }
            return PrometheusText.parse(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scrape worker " + name, e);
        }
    }

    /** {@code kill -9}: no shutdown, no flush, no goodbye. Returns once the process is gone. */
    public void kill() {
        killed = true;
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
        paused = false;
    }

    /** SIGTERM: the graceful stop. Returns at once; see {@link #awaitExit}. */
    public void terminate() {
        process.destroy();
    }

    /** SIGSTOP: the process freezes, holding its leases without heartbeating. */
    public void pause() {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT. */
    public void resume() {
        signal("CONT");
        paused = false;
    }

    private void signal(String sig) {
        try {
            Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the process to end and returns its exit code. */
    public int awaitExit(Duration max) {
        try {
            if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("worker " + name + " still running after " + max + ":\n" + tail(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** The exit code, or -1 while it runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    void destroyQuietly() {
        if (process.isAlive()) {
            if (paused) {
                try {
                    resume();
                } catch (RuntimeException ignored) {
                    // SIGKILL works on a stopped process too
                }
            }
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return name + "#" + generation + "(pid " + process.pid() + ")";
    }
}
