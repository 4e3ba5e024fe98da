package io.nebula.worker.bench;

import io.nebula.worker.launch.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tracing scenario's loopback servers, a {@link TraceSink} and a {@link LoopbackApi}, in a JVM of
 * their own, so that the CPU the bench measures for its process is the worker's alone (in the same
 * process, the servers' request handling counted as the worker's). The bench reads the servers'
 * CPU from {@code /proc/<pid>/stat} and reports it beside the worker's.
 *
 * <p>The child speaks a line protocol on its standard streams: it prints {@code ready <trace
 * endpoint> <api url>} once listening, answers each {@code counts} line with {@code counts
 * <exports> <span bytes> <api requests> <api requests with a traceparent>}, and exits when its input
 * ends.
 */
final class LoopbackServers implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final String traceEndpoint;
    private final String apiUrl;

    private LoopbackServers(Process process, BufferedReader out, Writer in, String traceEndpoint, String apiUrl) {
        this.process = process;
        this.out = out;
        this.in = in;
        this.traceEndpoint = traceEndpoint;
        this.apiUrl = apiUrl;
    }

    /** Starts the child JVM and waits until both servers listen. */
    static LoopbackServers start() throws IOException {
        ChildJvm jvm = new ChildJvm(
                ChildJvm.currentJava(),
                // The JDK's server closes idle connections beyond 200 at once, which a worker at
                // a concurrency above that would meet as connections closed under it.
                List.of(
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-XX:-UsePerfData",
                        "-Dsun.net.httpserver.maxIdleConnections=100000"),
                ChildJvm.currentClassPath());
        Process p = new ProcessBuilder(jvm.command(LoopbackServers.class.getName(), List.of()))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String ready = out.readLine();
        String[] f = ready == null ? new String[0] : ready.split(" ");
        if (f.length != 3 || !f[0].equals("ready")) {
            p.destroyForcibly();
            throw new IOException("the loopback servers' process did not start (it said: " + ready + ")");
        }
        return new LoopbackServers(
                p, out, new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8), f[1], f[2]);
    }

    String traceEndpoint() {
        return traceEndpoint;
    }

    String apiUrl() {
        return apiUrl;
    }

    /** Exports received, span bytes, API requests, API requests that carried a traceparent. */
    long[] counts() throws IOException {
        in.write("counts\n");
        in.flush();
        String line = out.readLine();
        String[] f = line == null ? new String[0] : line.split(" ");
        if (f.length != 5 || !f[0].equals("counts")) {
            throw new IOException("the loopback servers' process answered '" + line + "' to counts");
        }
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])};
    }

    /** User plus system CPU of the servers' process so far, in microseconds, or -1 if unreadable. */
    double cpuMicros() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            long ticks = ProcTicks.of(stat, name -> true);
            return ticks < 0 ? -1 : ticks * ProcTicks.MICROS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            in.close();
        } catch (IOException e) {
            // the child is gone already
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** The child: both servers until standard input ends. */
    public static void main(String[] args) throws IOException {
        PrintStream stdout = System.out;
        try (TraceSink sink = new TraceSink();
                LoopbackApi api = new LoopbackApi()) {
            stdout.println("ready " + sink.endpoint() + " " + api.url());
            stdout.flush();
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = commands.readLine()) != null) {
                if (line.equals("counts")) {
                    stdout.println("counts " + sink.requests() + " " + sink.bytes() + " " + api.requests() + " "
                            + api.traced());
                    stdout.flush();
                }
            }
        }
    }
}
