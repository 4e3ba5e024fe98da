package io.nebula.worker.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * A loopback HTTP API for the tracing scenario's HTTP workflow: answers every {@code GET /item}
 * with a small JSON object at once, and counts the requests and those that carried a W3C {@code
 * traceparent} header (what a downstream service needs to join the execution's trace).
 */
final class LoopbackApi implements AutoCloseable {
    private static final byte[] BODY = "{\"id\":42,\"ok\":true}".getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final LongAdder requests = new LongAdder();
    private final LongAdder traced = new LongAdder();

    LoopbackApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/item", exchange -> {
            try (exchange;
                    InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
                requests.increment();
                if (exchange.getRequestHeaders().getFirst("traceparent") != null) {
                    traced.increment();
                }
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, BODY.length);
                exchange.getResponseBody().write(BODY);
            }
        });
        server.start();
    }

    /** The URL a workflow calls. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/item";
    }

    long requests() {
        return requests.sum();
    }

    long traced() {
        return traced.sum();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
