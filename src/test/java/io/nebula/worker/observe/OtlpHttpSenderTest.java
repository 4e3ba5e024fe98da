package io.nebula.worker.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.ProxyOptions;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The OTLP exporter sending through {@link OtlpHttpSender} to a collector started here: what
 * arrives, what is sent again, and what ends an export that gets no answer.
 */
class OtlpHttpSenderTest {
    /** One request as the collector saw it. */
    record Seen(String contentType, String contentEncoding, String authorization, byte[] body, int remotePort) {}

    /** The SDK's default retry policy with a 10 ms first backoff, so retries take no real time. */
    private static final RetryPolicy QUICK_RETRIES =
            RetryPolicy.builder().setInitialBackoff(Duration.ofMillis(10)).build();

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
    private volatile String retryAfter = "0";
    private volatile int answerBytes;
    private HttpServer server;
    private OtlpHttpSpanExporter exporter;

    @AfterEach
    void stop() {
        if (exporter != null) {
            exporter.shutdown().join(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.stop(0);
        }
    }

    /** A collector answering each request with the next scripted status (200 when none is left). */
    private String collector() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/traces", exchange -> {
            try (exchange;
                    InputStream in = exchange.getRequestBody()) {
                seen.add(new Seen(
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        exchange.getRequestHeaders().getFirst("Content-Encoding"),
                        exchange.getRequestHeaders().getFirst("Authorization"),
                        in.readAllBytes(),
                        exchange.getRemoteAddress().getPort()));
                Integer status = statuses.poll();
                int code = status == null ? 200 : status;
                if (code == 503) {
                    exchange.getResponseHeaders().set("Retry-After", retryAfter);
                }
                if (answerBytes == 0) {
                    exchange.sendResponseHeaders(code, -1);
                } else {
                    exchange.sendResponseHeaders(code, answerBytes);
                    exchange.getResponseBody().write(new byte[answerBytes]);
                }
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    private static OtlpHttpSpanExporterBuilder builder(String endpoint) {
        return OtlpHttpSpanExporter.builder()
                .setEndpoint(endpoint)
                .setComponentLoader(OtlpHttpSender.loader(
                        ComponentLoader.forClassLoader(OtlpHttpSenderTest.class.getClassLoader())));
    }

    /** Ended spans named {@code names}, as the batch processor would hand them to the exporter. */
    private static List<SpanData> spans(String... names) {
        List<SpanData> out = new ArrayList<>();
        SpanExporter keep = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                out.addAll(spans);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        try (SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(keep))
                .build()) {
            for (String name : names) {
                provider.get("test")
                        .spanBuilder(name)
                        .setAttribute("nebula.execution.id", 7L)
                        .startSpan()
                        .end();
            }
        }
        return out;
    }

    private static List<String> names(byte[] body) throws IOException {
        return ExportTraceServiceRequest.parseFrom(body).getResourceSpansList().stream()
                .flatMap(rs -> rs.getScopeSpansList().stream())
                .flatMap(ss -> ss.getSpansList().stream())
                .map(io.opentelemetry.proto.trace.v1.Span::getName)
                .toList();
    }

    @Test
    void anExportArrivesAsOtlpProtobufWithTheConfiguredHeadersOnOneKeptAliveConnection() throws Exception {
        exporter =
                builder(collector()).addHeader("Authorization", "Bearer t0ken").build();

        assertThat(exporter.export(spans("a", "b")).join(10, TimeUnit.SECONDS).isSuccess())
                .isTrue();
        assertThat(exporter.export(spans("c")).join(10, TimeUnit.SECONDS).isSuccess())
                .isTrue();

        assertThat(seen).hasSize(2);
        assertThat(names(seen.get(0).body())).containsExactly("a", "b");
        assertThat(names(seen.get(1).body())).containsExactly("c");
        assertThat(seen.get(0).contentType()).isEqualTo("application/x-protobuf");
        assertThat(seen.get(0).contentEncoding()).isNull();
        assertThat(seen.get(0).authorization()).isEqualTo("Bearer t0ken");
        assertThat(seen.get(1).remotePort()).isEqualTo(seen.get(0).remotePort());
    }

    @Test
    void exportsRunOnTwoReusedPlatformThreads() throws Exception {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        exporter = builder(collector())
                .setHeaders(() -> {
                    threads.add(Thread.currentThread());
                    return Map.of();
                })
                .build();

        for (int i = 0; i < 10; i++) {
            assertThat(exporter.export(spans("s" + i))
                            .join(10, TimeUnit.SECONDS)
                            .isSuccess())
                    .isTrue();
        }

        assertThat(seen).hasSize(10);
        assertThat(threads).hasSizeBetween(1, 2).allSatisfy(t -> {
            assertThat(t.isVirtual()).isFalse();
            assertThat(t.getName()).startsWith("nebula-otlp-export-");
        });
    }

    @Test
    void aThreadsKeptBufferCarriesOnlyEachExportsOwnMessage() throws Exception {
        exporter = builder(collector()).build();
        List<List<String>> sent = new ArrayList<>();
        for (int size : new int[] {40, 30, 12, 5, 2, 1}) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                names.add("export" + sent.size() + "-span" + i);
            }
            sent.add(names);
            assertThat(exporter.export(spans(names.toArray(String[]::new)))
                            .join(10, TimeUnit.SECONDS)
                            .isSuccess())
                    .isTrue();
        }

        assertThat(seen).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(names(seen.get(i).body())).containsExactlyElementsOf(sent.get(i));
        }
    }

    @Test
    void aRetryableStatusIsSentAgainWithTheSameMessage() throws Exception {
        exporter = builder(collector()).setRetryPolicy(QUICK_RETRIES).build();
        statuses.add(503);
        statuses.add(429);

        assertThat(exporter.export(spans("a")).join(10, TimeUnit.SECONDS).isSuccess())
                .isTrue();

        assertThat(seen).hasSize(3);
        assertThat(seen.get(2).body()).isEqualTo(seen.get(0).body());
        assertThat(names(seen.get(2).body())).containsExactly("a");
    }

    @Test
    void aRefusedMessageFailsTheExportAndIsNotSentAgain() throws Exception {
        exporter = builder(collector()).setRetryPolicy(QUICK_RETRIES).build();
        statuses.add(400);

        CompletableResultCode result = exporter.export(spans("a")).join(10, TimeUnit.SECONDS);

        assertThat(result.isDone()).isTrue();
        assertThat(result.isSuccess()).isFalse();
        assertThat(seen).hasSize(1);
    }

    @Test
    void aRetryAfterBeyondTheTimeoutEndsTheExportInsteadOfWaiting() throws Exception {
        exporter = builder(collector())
                .setTimeout(Duration.ofSeconds(1))
                .setRetryPolicy(QUICK_RETRIES)
                .build();
        retryAfter = "9999999999";
        statuses.add(503);

        CompletableResultCode result = exporter.export(spans("a"));

        await().atMost(Duration.ofSeconds(30)).until(result::isDone);
        assertThat(result.isSuccess()).isFalse();
        assertThat(seen).hasSize(1);
    }

    @Test
    void aResponseLongerThanTheLimitFailsTheExportAndIsNotSentAgain() throws Exception {
        exporter = builder(collector()).setRetryPolicy(QUICK_RETRIES).build();
        answerBytes = 4 * 1024 * 1024 + 1;

        CompletableResultCode result = exporter.export(spans("a")).join(10, TimeUnit.SECONDS);

        assertThat(result.isDone()).isTrue();
        assertThat(result.isSuccess()).isFalse();
        assertThat(seen).hasSize(1);
    }

    @Test
    void theExportersProxyOptionsCarryTheRequest() throws Exception {
        collector();
        int port = server.getAddress().getPort();
        exporter = builder("http://collector.invalid:4318/v1/traces")
                .setProxy(ProxyOptions.create(new InetSocketAddress("127.0.0.1", port)))
                .build();

        assertThat(exporter.export(spans("a")).join(10, TimeUnit.SECONDS).isSuccess())
                .isTrue();

        assertThat(seen).hasSize(1);
        assertThat(names(seen.get(0).body())).containsExactly("a");
    }

    @Test
    void aCollectorThatAcceptsAndNeverAnswersIsCutOffAtTheExportTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            exporter = builder("http://127.0.0.1:" + silent.getLocalPort() + "/v1/traces")
                    .setTimeout(Duration.ofMillis(300))
                    .setRetryPolicy(null)
                    .build();

            CompletableResultCode result = exporter.export(spans("a"));

            await().atMost(Duration.ofSeconds(30)).until(result::isDone);
            assertThat(result.isSuccess()).isFalse();
            await().atMost(Duration.ofSeconds(30)).until(() -> held.size() == 1);
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aCollectorThatIsDownFailsTheExport() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        exporter = builder("http://127.0.0.1:" + port + "/v1/traces")
                .setTimeout(Duration.ofSeconds(2))
                .setRetryPolicy(QUICK_RETRIES)
                .build();

        CompletableResultCode result = exporter.export(spans("a"));

        await().atMost(Duration.ofSeconds(30)).until(result::isDone);
        assertThat(result.isSuccess()).isFalse();
    }

    @Test
    void gzipIsDeclaredAndTheBodyDecompressesToTheMessage() throws Exception {
        exporter = builder(collector()).setCompression("gzip").build();

        assertThat(exporter.export(spans("a", "b")).join(10, TimeUnit.SECONDS).isSuccess())
                .isTrue();
        // Later exports reuse a thread's buffer, here after a larger compressed body.
        assertThat(exporter.export(spans("c", "d", "e"))
                        .join(10, TimeUnit.SECONDS)
                        .isSuccess())
                .isTrue();
        assertThat(exporter.export(spans("f")).join(10, TimeUnit.SECONDS).isSuccess())
                .isTrue();

        assertThat(seen).hasSize(3);
        assertThat(seen).allSatisfy(s -> assertThat(s.contentEncoding()).isEqualTo("gzip"));
        assertThat(names(gunzip(seen.get(0).body()))).containsExactly("a", "b");
        assertThat(names(gunzip(seen.get(1).body()))).containsExactly("c", "d", "e");
        assertThat(names(gunzip(seen.get(2).body()))).containsExactly("f");
    }

    private static byte[] gunzip(byte[] body) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }
}
