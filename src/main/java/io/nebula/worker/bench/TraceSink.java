package io.nebula.worker.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpStatus;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * A loopback OTLP/HTTP endpoint for the tracing scenario: accepts every {@code POST /v1/traces},
 * counts the bytes and answers with an empty (valid) response, so the measured cost is the
 * worker's (making, batching, encoding and sending spans), not a collector's.
 *
 * <p>It runs on the same cores as the worker and the database, where a collector in production
 * would not, so it is built to cost little: Apache HttpCore's blocking server, each body read into
 * one reused buffer per connection thread. Paced as the exporter sends, it spent about half the CPU
 * per export that the JDK's {@code HttpServer} did, as little as a bare socket loop.
 */
final class TraceSink implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;

    private final HttpServer server;
    private final LongAdder requests = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[CHUNK]);

    TraceSink() throws IOException {
        server = ServerBootstrap.bootstrap()
                .setLocalAddress(InetAddress.getLoopbackAddress())
                .setListenerPort(0)
                // Requests name 127.0.0.1 as their host; any other name would be answered 421.
                .setCanonicalHostName("127.0.0.1")
                .setSocketConfig(SocketConfig.custom()
                        .setTcpNoDelay(true)
                        // A kept-alive connection may idle through a whole untraced phase; it is
                        // never closed under the exporter, only when the sink closes.
                        .setSoTimeout(Timeout.DISABLED)
                        .build())
                .register("/v1/traces", (request, response, context) -> {
                    long n = 0;
                    HttpEntity body = request.getEntity();
                    if (body != null) {
                        byte[] buffer = buffers.get();
                        try (InputStream in = body.getContent()) {
                            for (int r; (r = in.read(buffer)) >= 0; ) {
                                n += r;
                            }
                        }
                    }
                    bytes.add(n);
                    requests.increment();
                    response.setCode(HttpStatus.SC_OK);
                    response.setHeader("Content-Type", "application/x-protobuf");
                })
                .create();
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    long requests() {
        return requests.sum();
    }

    long bytes() {
        return bytes.sum();
    }

    @Override
    public void close() {
        server.close(CloseMode.IMMEDIATE);
    }
}
