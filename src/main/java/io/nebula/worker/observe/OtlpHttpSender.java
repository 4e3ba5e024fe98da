package io.nebula.worker.observe;

import io.opentelemetry.api.impl.InstrumentationUtil;
import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.Compressor;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.opentelemetry.sdk.common.export.HttpSender;
import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.routing.SystemDefaultRoutePlanner;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The OTLP/HTTP exporter's transport: Apache HttpClient 5's blocking client, which the SDK is
 * handed through its {@link HttpSenderProvider} interface in place of its JDK {@code HttpClient}
 * sender.
 *
 * <p>Exports run on two platform threads that are kept while exports keep coming (and end after a
 * minute without one). The SDK's encoder keeps its scratch state in thread locals (a map from each
 * trace and span id to its bytes, its output buffer), so a thread that encodes export after export
 * reuses them, where a thread per export built them anew each time; the encoded body's buffer is
 * likewise kept per thread. An export is sent again, following the exporter's
 * {@link RetryPolicy}, after a 429, 502, 503 or 504 (waiting what {@code Retry-After} asks when the
 * collector sends one) or a failure to connect or send; never after the export's timeout, which
 * also bounds the whole export (a collector that accepts the connection and never answers is cut
 * off then). Requests go through the HTTP proxy that the exporter's proxy options or, without
 * them, the JVM's default proxy selector name ({@code https.proxyHost}, {@code http.nonProxyHosts}),
 * as the SDK's JDK sender's did; never through a SOCKS proxy.
 */
final class OtlpHttpSender implements HttpSender {
    private static final Set<Integer> RETRYABLE = Set.of(429, 502, 503, 504);
    private static final int MAX_CONNECTIONS = 8;
    private static final int EXPORT_THREADS = 2;
    /** The largest body buffer an export thread keeps for the next export (a batch of 512 spans: ~130 KB). */
    private static final int KEPT_BUFFER = 1 << 20;

    private final URI endpoint;
    private final ContentType contentType;
    private final Compressor compressor;
    private final Duration timeout;
    private final Supplier<Map<String, List<String>>> headers;
    private final RetryPolicy retry;
    private final Predicate<IOException> retryable;
    private final long maxResponseBody;
    private final ExecutorService exports;
    private final boolean ownExports;
    private final ScheduledThreadPoolExecutor deadlines;
    private final CloseableHttpClient client;
    private final ThreadLocal<Encoded> buffers = new ThreadLocal<>();

    OtlpHttpSender(HttpSenderConfig config) {
        this.endpoint = config.getEndpoint();
        this.contentType = ContentType.parse(config.getContentType());
        this.compressor = config.getCompressor();
        this.timeout = config.getTimeout();
        this.headers = config.getHeadersSupplier();
        this.retry = config.getRetryPolicy();
        this.retryable = retry != null && retry.getRetryExceptionPredicate() != null
                ? retry.getRetryExceptionPredicate()
                : e -> !(e instanceof SSLException) && !(e instanceof TooLarge);
        this.maxResponseBody = config.getMaxResponseBodySize();
        this.ownExports = config.getExecutorService() == null;
        this.exports = ownExports ? exportThreads() : config.getExecutorService();
        this.deadlines = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "nebula-otlp-deadline");
            t.setDaemon(true);
            return t;
        });
        deadlines.setRemoveOnCancelPolicy(true);
        ClientTlsStrategyBuilder tls = ClientTlsStrategyBuilder.create()
                .setSslContext(config.getSslContext() != null ? config.getSslContext() : defaultTls());
        if (config.getEnabledProtocols() != null
                && !config.getEnabledProtocols().isEmpty()) {
            tls.setTlsVersions(config.getEnabledProtocols().toArray(String[]::new));
        }
        PoolingHttpClientConnectionManager pool = new DirectConnections()
                .setTlsSocketStrategy(tls.buildClassic())
                .setMaxConnTotal(MAX_CONNECTIONS)
                .setMaxConnPerRoute(MAX_CONNECTIONS)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(config.getConnectTimeout()))
                        .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                        .setTimeToLive(TimeValue.ofMinutes(1))
                        .build())
                .build();
        // Without proxy options: the JVM's default selector, asked per request (null).
        ProxySelector proxies =
                config.getProxyOptions() != null ? config.getProxyOptions().getProxySelector() : null;
        this.client = HttpClients.custom()
                .setConnectionManager(pool)
                .setRoutePlanner(new SystemDefaultRoutePlanner(proxies))
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableContentCompression()
                .disableAuthCaching()
                .evictIdleConnections(TimeValue.ofSeconds(30))
                .build();
    }

    /**
     * The threads exports run on. The batch processor waits for each export before the next, so
     * more than one runs only while an export it gave up on is still retrying or timing out; the
     * queue holds what waits for a thread.
     */
    private static ExecutorService exportThreads() {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor threads = new ThreadPoolExecutor(
                EXPORT_THREADS, EXPORT_THREADS, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "nebula-otlp-export-" + count.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                });
        threads.allowCoreThreadTimeOut(true);
        return threads;
    }

    /** A component loader that answers this sender's provider and leaves everything else to {@code rest}. */
    static ComponentLoader loader(ComponentLoader rest) {
        return new ComponentLoader() {
            @Override
            @SuppressWarnings("unchecked")
            public <T> Iterable<T> load(Class<T> type) {
                if (type == HttpSenderProvider.class) {
                    return List.of((T) (HttpSenderProvider) OtlpHttpSender::new);
                }
                return rest.load(type);
            }
        };
    }

    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context in this JVM", e);
        }
    }

    @Override
    public void send(MessageWriter writer, Consumer<HttpResponse> onResponse, Consumer<Throwable> onError) {
        try {
            // The export's own request is not traced by an OpenTelemetry agent the application runs.
            exports.execute(() -> InstrumentationUtil.suppressInstrumentation(() -> {
                HttpResponse response;
                try {
                    response = export(writer);
                } catch (Throwable t) {
                    onError.accept(t);
                    return;
                }
                onResponse.accept(response);
            }));
        } catch (RejectedExecutionException e) {
            onError.accept(e);
        }
    }

    /** Sends the message, and again while the retry policy and the timeout allow. */
    private HttpResponse export(MessageWriter writer) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Encoded body = encode(writer);
        int attempts = retry == null ? 1 : Math.max(1, retry.getMaxAttempts());
        long backoff = retry == null ? 0 : retry.getInitialBackoff().toNanos();
        for (int attempt = 1; ; attempt++) {
            Answer answer = null;
            IOException failed = null;
            try {
                answer = once(body, deadline);
            } catch (IOException e) {
                if (attempt >= attempts || !retryable.test(e)) {
                    throw e;
                }
                failed = e;
            }
            if (answer != null && (attempt >= attempts || !RETRYABLE.contains(answer.status))) {
                return answer;
            }
            long wait = answer != null && answer.retryAfter.isPresent()
                    ? answer.retryAfter.getAsLong()
                    : (long) (Math.min(backoff, retry.getMaxBackoff().toNanos())
                            * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
            if (wait >= deadline - System.nanoTime()) {
                if (answer != null) {
                    return answer;
                }
                throw failed;
            }
            TimeUnit.NANOSECONDS.sleep(wait);
            backoff = (long) (backoff * retry.getBackoffMultiplier());
        }
    }

    /**
     * The message as it goes on the wire, compressed when configured: written once, since a
     * reusing marshaler may not be written twice, and sent as often as the retries need.
     */
    private Encoded encode(MessageWriter writer) throws IOException {
        Encoded bytes = buffer(Math.max(32, writer.getContentLength()));
        if (compressor == null) {
            writer.writeMessage(bytes);
        } else {
            try (OutputStream compressed = compressor.compress(bytes)) {
                writer.writeMessage(compressed);
            }
        }
        return bytes;
    }

    /**
     * This thread's body buffer, emptied, holding at least {@code size} bytes. The export that
     * takes it has finished with it before the thread's next export starts.
     */
    private Encoded buffer(int size) {
        Encoded kept = buffers.get();
        if (kept != null && kept.capacity() >= size && kept.capacity() <= KEPT_BUFFER) {
            kept.reset();
            return kept;
        }
        Encoded fresh = new Encoded(size);
        if (size <= KEPT_BUFFER) {
            buffers.set(fresh);
        } else {
            buffers.remove();
        }
        return fresh;
    }

    /** The bytes written, handed to the request without a copy. */
    private static final class Encoded extends ByteArrayOutputStream {
        Encoded(int size) {
            super(size);
        }

        int capacity() {
            return buf.length;
        }

        ByteArrayEntity entity(ContentType type) {
            return new ByteArrayEntity(buf, 0, count, type);
        }
    }

    private Answer once(Encoded body, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new IOException("OTLP export to " + endpoint + " ran out of time");
        }
        HttpPost post = new HttpPost(endpoint);
        post.setConfig(RequestConfig.custom()
                .setResponseTimeout(Timeout.ofMilliseconds(Math.max(1, left / 1_000_000)))
                .setConnectionRequestTimeout(Timeout.ofMilliseconds(Math.max(1, left / 1_000_000)))
                .build());
        Map<String, List<String>> extra = headers == null ? null : headers.get();
        if (extra != null) {
            extra.forEach((name, values) -> values.forEach(v -> post.addHeader(name, v)));
        }
        if (compressor != null) {
            post.addHeader("Content-Encoding", compressor.getEncoding());
        }
        post.setEntity(body.entity(contentType));
        ScheduledFuture<?> cutOff = deadlines.schedule(post::cancel, left, TimeUnit.NANOSECONDS);
        try (ClassicHttpResponse response = client.executeOpen(null, post, null)) {
            Header after = response.getFirstHeader("Retry-After");
            return new Answer(
                    response.getCode(), response.getReasonPhrase(), read(response.getEntity()), retryAfter(after));
        } finally {
            cutOff.cancel(false);
        }
    }

    private byte[] read(HttpEntity entity) throws IOException {
        if (entity == null) {
            return new byte[0];
        }
        try (InputStream in = entity.getContent()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxResponseBody));
            if (in.read() >= 0) {
                throw new TooLarge(maxResponseBody);
            }
            return body;
        }
    }

    /** A response longer than the exporter allows: not sent again, the collector had answered. */
    private static final class TooLarge extends IOException {
        TooLarge(long limit) {
            super("the OTLP endpoint's response is longer than " + limit + " bytes");
        }
    }

    /** The delay a {@code Retry-After} header in seconds asks for. */
    private static OptionalLong retryAfter(Header header) {
        if (header == null) {
            return OptionalLong.empty();
        }
        try {
            long seconds = Long.parseLong(header.getValue().strip());
            return seconds < 0 ? OptionalLong.empty() : OptionalLong.of(TimeUnit.SECONDS.toNanos(seconds));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public CompletableResultCode shutdown() {
        // The batch processor has waited for its last export by now: what still runs is stuck in
        // a backoff or on a collector that does not answer, and is ended.
        if (ownExports) {
            exports.shutdownNow();
        }
        deadlines.shutdownNow();
        client.close(CloseMode.IMMEDIATE);
        return CompletableResultCode.ofSuccess();
    }

    private record Answer(int status, String message, byte[] body, OptionalLong retryAfter) implements HttpResponse {
        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        public String getStatusMessage() {
            return message == null ? "" : message;
        }

        @Override
        public byte[] getResponseBody() {
            return body;
        }
    }
}
