package io.nebula.worker.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * A loopback OTLP/HTTP endpoint for the tracing scenario: accepts every {@code POST /v1/traces},
 * counts the bytes and answers with an empty (valid) response, so the measured cost is the
 * worker's (making, batching, encoding and sending spans), not a collector's.
 */
final class TraceSink implements AutoCloseable {
    private final HttpServer server;
    private final LongAdder requests = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    TraceSink() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/traces", exchange -> {
            try (exchange;
                    InputStream in = exchange.getRequestBody()) {
                bytes.add(in.readAllBytes().length);
                requests.increment();
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    long requests() {
        return requests.sum();
    }

    long bytes() {
        return bytes.sum();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
