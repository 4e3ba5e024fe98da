package io.nebula.worker.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny HTTP server on a free loopback port that the demo's {@code http-call} runs talk to, so
 * the demo needs no internet. {@code /flaky} answers 503 to its first request and 200 afterwards
 * (the node retries and succeeds); {@code /missing} answers 404 (the node fails for good);
 * {@code /payments} answers 201 to a request bearing the demo's payment token, echoing its
 * {@code Authorization} header, and 401 to any other; any other path answers 200. The demo's worker is allowed to reach loopback for this
 * ({@code http.allow_private_networks}), and it claims only the demo's own queue.
 */
final class DemoEndpoint implements AutoCloseable {
    static final String FLAKY = "/flaky";
    static final String MISSING = "/missing";
    static final String PAYMENTS = "/payments";

    private final HttpServer server;
    private final AtomicInteger flakyCalls = new AtomicInteger();
    private final String token;

    /** @param token the bearer token {@code /payments} accepts */
    DemoEndpoint(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals(PAYMENTS)) {
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                if (("Bearer " + token).equals(auth)) {
                    // Echoes the header, as careless services do: the worker stores it masked.
                    send(ex, 201, "{\"reservation\":\"res-1\",\"authorization_seen\":\"" + auth + "\"}");
                } else {
                    send(ex, 401, "{\"error\":\"bad or missing token\"}");
                }
            } else if (path.equals(MISSING)) {
                send(ex, 404, "{\"error\":\"no such order\"}");
            } else if (path.equals(FLAKY) && flakyCalls.getAndIncrement() == 0) {
                send(ex, 503, "{\"error\":\"warming up, try again\"}");
            } else {
                send(ex, 200, "{\"ok\":true,\"served_by\":\"nebula-worker demo\"}");
            }
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
