package io.nebula.worker.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nebula.worker.json.Json;
import io.nebula.worker.observe.PrometheusMetrics;
import io.nebula.worker.pool.Readiness;
import io.nebula.worker.pool.Worker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The health port: {@code GET /health} (liveness: the process and its loops are alive; never
 * depends on the database, so a database outage does not make Kubernetes restart every worker),
 * {@code GET /ready} (readiness with the documented JSON; 503 with a reason when the worker cannot take
 * work) and {@code GET /metrics} (Prometheus text, or OpenMetrics with exemplars when the scraper
 * accepts it; absent when metrics are disabled). Answers come
 * from state the worker already holds, so a probe never waits for the database. Read-only; no URL,
 * host or credential appears in any answer.
 */
public final class HealthServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthServer.class);
    private static final JsonMapper JSON = Json.MAPPER;

    private final HttpServer server;
    private final Worker worker;
    private final PrometheusMetrics metrics;

    /**
     * @param metrics the metrics to expose, or {@code null} to serve no {@code /metrics}
     */
    public HealthServer(String bind, int port, Worker worker, PrometheusMetrics metrics) throws IOException {
        this.worker = worker;
        this.metrics = metrics;
        this.server = HttpServer.create(new InetSocketAddress(bind, port), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    }

    public void start() {
        server.start();
        log.info("health server listening port={}", port());
    }

    /** The bound port (useful when started on port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            boolean known =
                    path.equals("/health") || path.equals("/ready") || (path.equals("/metrics") && metrics != null);
            if (!known) {
                send(ex, 404, "text/plain; charset=utf-8", "not found\n");
                return;
            }
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            switch (path) {
                case "/health" -> health(ex);
                case "/ready" -> ready(ex);
                default -> metrics(ex);
            }
        } catch (RuntimeException e) {
            log.warn("health endpoint failed: {}", e.toString());
        }
    }

    private void health(HttpExchange ex) throws IOException {
        boolean alive = worker.loopsTicking() && worker.readiness().snapshot().phase() != Readiness.Phase.STOPPED;
        send(ex, alive ? 200 : 503, "text/plain; charset=utf-8", alive ? "ok\n" : "loops stalled\n");
    }

    private void ready(HttpExchange ex) throws IOException {
        Readiness.Snapshot s = worker.readiness().snapshot();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", s.ready() ? "ready" : "not_ready");
        body.put("workers", worker.concurrency());
        body.put("active_jobs", worker.activeJobs());
        body.put("queue_connected", s.databaseReachable());
        if (!s.ready()) {
            body.put("reason", s.reason());
        }
        send(ex, s.ready() ? 200 : 503, "application/json", JSON.writeValueAsString(body) + "\n");
    }

    private void metrics(HttpExchange ex) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(16 * 1024);
        String type = metrics.write(buf, ex.getRequestHeaders().getFirst("Accept"));
        send(ex, 200, type, buf.toByteArray());
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
