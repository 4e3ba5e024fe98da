package io.nebula.worker.bench;

import io.nebula.worker.launch.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real worker process started the way an operator starts one (the command line with a TOML
 * file), watched from outside: how long until {@code GET /ready} answers 200, and its resident
 * memory from {@code /proc/<pid>/status} ({@code VmRSS} now, {@code VmHWM} the peak so far). Its
 * output goes to a log file next to its configuration. {@link #close()} sends SIGTERM and waits
 * for the graceful stop, killing it only if that takes too long.
 */
final class WorkerProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final long spawnedNanos;
    private final Path log;

    private WorkerProcess(Process process, int port, long spawnedNanos, Path log) {
        this.process = process;
        this.port = port;
        this.spawnedNanos = spawnedNanos;
        this.log = log;
    }

    /**
     * Writes the configuration into {@code dir} and starts the process.
     *
     * @param name names the configuration and log files and the worker id
     */
    static WorkerProcess start(
            ChildJvm launch, ScratchDatabase db, RunConfig run, int maxConnections, Path dir, String name) {
        try {
            Files.createDirectories(dir);
            int port = freePort();
            Path config = dir.resolve(name + ".toml");
            Files.writeString(config, run.toml(db, name, port, maxConnections));
            Path log = dir.resolve(name + ".log");
            // The child takes its settings from the file, not from this shell's variables.
            ProcessBuilder pb =
                    launch.worker(config, List.of()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("DATABASE_URL", db.urlText());
            long t0 = System.nanoTime();
            return new WorkerProcess(pb.start(), port, t0, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a worker process: " + e.getMessage(), e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Polls {@code /ready} every 5 ms until it answers 200; returns the milliseconds since the
     * process was spawned.
     *
     * @throws IllegalStateException when the process exits or is not ready within {@code max}
     */
    double awaitReady(Duration max) throws InterruptedException {
        long deadline = spawnedNanos + max.toNanos();
        URI ready = URI.create("http://127.0.0.1:" + port + "/ready");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "worker process exited with " + process.exitValue() + " before it was ready; see " + log);
            }
            if (answers200(ready)) {
                return (System.nanoTime() - spawnedNanos) / 1e6;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("worker process not ready within " + max.toSeconds() + " s; see " + log);
    }

    private static boolean answers200(URI uri) {
        try {
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            c.setConnectTimeout(200);
            c.setReadTimeout(1000);
            try {
                return c.getResponseCode() == 200;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** Resident memory now, in MB ({@code VmRSS}). */
    double rssMb() {
        return statusKb("VmRSS:") / 1024.0;
    }

    /** Peak resident memory since the process started, in MB ({@code VmHWM}). */
    double peakRssMb() {
        return statusKb("VmHWM:") / 1024.0;
    }

    private double statusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Double.parseDouble(
                            line.substring(field.length()).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** Stops gracefully (SIGTERM); returns the exit code, or -1 if it had to be killed. */
    int stop() throws InterruptedException {
        process.destroy();
        if (process.waitFor(30, TimeUnit.SECONDS)) {
            return process.exitValue();
        }
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        return -1;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
