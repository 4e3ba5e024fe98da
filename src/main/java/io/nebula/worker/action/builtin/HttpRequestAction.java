package io.nebula.worker.action.builtin;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.action.ParamReader;
import io.nebula.worker.json.Json;
import io.nebula.worker.observe.DirectConnections;
import io.nebula.worker.observe.TraceSpan;
import io.nebula.worker.redact.Redaction;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.ref.WeakReference;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code http.request}: one HTTP/1.1 call with Apache HttpClient's blocking client, on the
 * execution's own (virtual) thread. Parameters: {@code method} (GET), {@code url}, {@code headers},
 * {@code body} (a string is sent as text, other JSON as JSON), {@code timeout_seconds} (the whole
 * call: connecting, redirects and reading the body), {@code idempotency_key} (true: send {@code
 * Idempotency-Key} with {@link ActionContext#idempotencyKey()}). Output: {@code {status, headers,
 * body}}, the body parsed when the response is JSON.
 *
 * <p>Errors: 5xx, 429, timeouts and connection failures are retryable; other 4xx, an oversized body
 * and refused destinations are permanent. Error messages name the destination without its user
 * info or query values, never quote a header value, and describe a response body by its size and
 * type only ({@link Redaction}).
 *
 * <p>Destinations: unless private networks are allowed, every address the host resolves to is
 * checked ({@link DestinationGuard}) and the host is pinned to those addresses while the call runs
 * ({@link DestinationResolver}), so the client connects to an address that was checked. Redirects
 * are followed by hand (at most {@link HttpActionOptions#maxRedirects()}), each hop checked the
 * same way. A redirect to another origin keeps only harmless headers ({@link #CROSS_ORIGIN_HEADERS});
 * one from https to http is refused, as is a 307 or 308 that would resend the body to another
 * origin.
 *
 * <p>The client keeps connections alive between calls (no limit on their number, as many as the
 * calls in flight), checks one that has been idle for a second before reusing it, and closes those
 * idle for {@link #IDLE_CLOSE} (one daemon thread sweeps every client's pool while the client is
 * reachable). It connects directly (no HTTP or SOCKS proxy, whatever the JVM's proxy settings say), sends
 * no cookie or compression headers of its own, follows no redirect and retries nothing by itself,
 * except an idempotent request (GET, HEAD, PUT, DELETE, OPTIONS) that got no response at all because
 * its connection was closed or reset (a kept-alive connection the server had just closed), which it
 * sends again, at most {@link #STALE_RETRIES} times, never after an interrupt or the call's deadline.
 * A URL's user info is not sent. Response heads may have up to {@link #MAX_HEADER_LINE} characters
 * per header line and {@link #MAX_HEADERS} header lines.
 */
public final class HttpRequestAction implements Action {
    private static final Logger log = LoggerFactory.getLogger(HttpRequestAction.class);
    private static final JsonMapper JSON = Json.MAPPER;
    /**
     * Aborts a call that outlives its deadline (connecting, waiting for the response or reading its
     * body). One daemon thread serves every call; a call that ends cancels its timer, which leaves
     * the queue at once, so a finished call holds nothing here.
     */
    private static final ScheduledThreadPoolExecutor DEADLINES = scheduler("nebula-http-deadline");

    /** Closes idle connections of every client's pool ({@link #sweepWhileReachable}). */
    private static final ScheduledThreadPoolExecutor SWEEPS = scheduler("nebula-http-idle");

    /** How long a kept-alive connection may stay idle before the client closes it. */
    static final TimeValue IDLE_CLOSE = TimeValue.ofSeconds(30);

    /**
     * How often an idempotent request whose connection failed before a response is sent again. A
     * server that closes idle connections beyond a cap (the JDK's own server keeps 200) can close
     * several kept-alive connections in a row just as they are reused.
     */
    static final int STALE_RETRIES = 3;

    /** No practical limit on connections, per destination or in all. */
    private static final int MAX_CONNECTIONS = 1 << 16;

    /** The longest response header line read (the client's default of 8,192 refuses big cookies). */
    static final int MAX_HEADER_LINE = 64 * 1024;

    /** The most header lines a response may have. */
    static final int MAX_HEADERS = 500;

    /** Headers that may follow a redirect to another origin: none of them carries a credential. */
    static final Set<String> CROSS_ORIGIN_HEADERS =
            Set.of("accept", "accept-language", "content-language", "content-type", "user-agent", "idempotency-key");

    private final HttpActionOptions options;
    /** Built on the first call: a worker whose workflows make no call never builds one. */
    private volatile CloseableHttpClient client;

    private final Predicate<URI> exempt;
    private final Function<InetAddress, String> judge;
    private final DestinationGuard.Lookup lookup;
    /** The TLS context of https calls; {@code null} for the JVM's default. */
    private final SSLContext tls;

    public HttpRequestAction(HttpActionOptions options) {
        this(options, url -> false, DestinationGuard::internalReason, InetAddress::getAllByName);
    }

    /**
     * @param exempt destinations admitted without the guard's check; a seam for tests, which need
     *     one loopback server reachable while every other internal address stays refused
     */
    HttpRequestAction(HttpActionOptions options, Predicate<URI> exempt) {
        this(options, exempt, DestinationGuard::internalReason, InetAddress::getAllByName);
    }

    /**
     * @param judge why an address is internal, or {@code null}
     * @param lookup how the check resolves a host; with {@code judge}, a seam for DNS rebinding
     *     tests, where the check and the client must see different answers
     */
    HttpRequestAction(
            HttpActionOptions options,
            Predicate<URI> exempt,
            Function<InetAddress, String> judge,
            DestinationGuard.Lookup lookup) {
        this(options, exempt, judge, lookup, null);
    }

    /**
     * @param tls the TLS context of https calls, {@code null} for the JVM's default; a seam for
     *     tests, whose server certificate no default trust store holds
     */
    HttpRequestAction(HttpActionOptions options, SSLContext tls) {
        this(options, url -> false, DestinationGuard::internalReason, InetAddress::getAllByName, tls);
    }

    private HttpRequestAction(
            HttpActionOptions options,
            Predicate<URI> exempt,
            Function<InetAddress, String> judge,
            DestinationGuard.Lookup lookup,
            SSLContext tls) {
        this.options = Objects.requireNonNull(options, "options");
        this.exempt = exempt;
        this.judge = judge;
        this.lookup = lookup;
        this.tls = tls;
        if (!options.allowPrivateNetworks() && !DestinationResolver.active()) {
            log.warn("name resolver not pinned: http.request checks addresses but the JVM uses another"
                    + " resolver provider, so a DNS answer that changes between check and connect is not stopped");
        }
    }

    private CloseableHttpClient client() {
        CloseableHttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = build(options, tls != null ? tls : defaultTls());
                    client = c;
                }
            }
        }
        return c;
    }

    /**
     * Closes {@code pool}'s connections idle for {@link #IDLE_CLOSE} every five seconds, until the
     * pool is no longer reachable (its action dropped, as when an embedding application stops a
     * worker): the sweep holds it only weakly, and then cancels itself.
     */
    private static void sweepWhileReachable(PoolingHttpClientConnectionManager pool) {
        WeakReference<PoolingHttpClientConnectionManager> held = new WeakReference<>(pool);
        AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
        self.set(SWEEPS.scheduleWithFixedDelay(
                () -> {
                    PoolingHttpClientConnectionManager p = held.get();
                    if (p == null) {
                        self.get().cancel(false);
                        return;
                    }
                    p.closeIdle(IDLE_CLOSE);
                },
                5,
                5,
                TimeUnit.SECONDS));
    }

    /** The JVM's default context, as {@code javax.net.ssl.*} configures it (trust and key stores). */
    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context in this JVM", e);
        }
    }

    private static CloseableHttpClient build(HttpActionOptions options, SSLContext tls) {
        PoolingHttpClientConnectionManager pool = new DirectConnections()
                .setTlsSocketStrategy(
                        ClientTlsStrategyBuilder.create().setSslContext(tls).buildClassic())
                .setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
                        .http1Config(Http1Config.custom()
                                .setMaxLineLength(MAX_HEADER_LINE)
                                .setMaxHeaderCount(MAX_HEADERS)
                                .build())
                        .build())
                .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
                .setMaxConnTotal(MAX_CONNECTIONS)
                .setMaxConnPerRoute(MAX_CONNECTIONS)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(options.defaultTimeout()))
                        .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                        .build())
                .build();
        sweepWhileReachable(pool);
        return HttpClients.custom()
                .setConnectionManager(pool)
                .setRetryStrategy(new StaleConnectionRetry())
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableContentCompression()
                .disableAuthCaching()
                .setUserAgent("nebula-worker")
                .build();
    }

    /**
     * Sends an idempotent request again when it got no response at all because its connection was
     * closed ({@link NoHttpResponseException}) or reset or broken under it (a {@link
     * SocketException} other than a failed connect): the case of a kept-alive connection the
     * server had closed. Never after an interrupt or a cancel (the call's deadline), never a POST or
     * PATCH, never on a status code or any other failure.
     */
    private static final class StaleConnectionRetry extends DefaultHttpRequestRetryStrategy {
        StaleConnectionRetry() {
            super(STALE_RETRIES, TimeValue.ZERO_MILLISECONDS, List.of(), List.of());
        }

        @Override
        public boolean retryRequest(HttpRequest request, IOException exception, int execCount, HttpContext context) {
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
            boolean stale = exception instanceof NoHttpResponseException
                    || (exception instanceof SocketException
                            && !(exception instanceof ConnectException)
                            && !(exception instanceof NoRouteToHostException));
            return stale && super.retryRequest(request, exception, execCount, context);
        }

        @Override
        public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
            return false;
        }
    }

    @Override
    public String name() {
        return "http.request";
    }

    @Override
    public List<String> validate(JsonNode params) {
        ParamReader r = ParamReader.forValidation(params);
        HttpCall.read(r, options.defaultTimeout());
        return r.problems();
    }

    @Override
    public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException, InterruptedException {
        ParamReader r = ParamReader.forExecution(params);
        HttpCall call = HttpCall.read(r, options.defaultTimeout());
        r.throwIfInvalid();
        String method = call.method();
        URI url = call.url();
        JsonNode body = call.body();
        Map<String, String> headers = new LinkedHashMap<>(call.headers());
        if (call.sendIdempotencyKey()
                && headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("idempotency-key"))) {
            headers.put("Idempotency-Key", ctx.idempotencyKey());
        }
        Redaction.Secrets secrets = secretsOf(url, headers);
        long deadline = System.nanoTime() + call.timeout().toNanos();
        for (int hop = 0; ; hop++) {
            // One client span per request sent (a redirect is another request).
            TraceSpan span = ctx.trace() == TraceSpan.OFF
                    ? TraceSpan.OFF
                    : ctx.trace().httpClient(method, Redaction.url(url), url.getHost(), port(url));
            String failure = null;
            int status = 0;
            Call running = null;
            ScheduledFuture<?> timer = null;
            ClassicHttpResponse response = null;
            try (DestinationResolver.Pin pin = guard(url)) {
                // Counted after the guard's name lookup, which the deadline covers too.
                Duration left = remaining(deadline);
                HttpUriRequestBase request = request(method, url, traced(headers, span), body, left);
                running = new Call(request);
                timer = DEADLINES.schedule(running::expire, left.toNanos(), TimeUnit.NANOSECONDS);
                response = send(request, running, method, url, call.timeout(), secrets);
                status = response.getCode();
                span.attribute("http.response.status_code", status);
                Map<String, List<String>> received = ResponseReader.headers(response.getHeaders());
                String location = ResponseReader.first(received, "location");
                if (isRedirect(status) && !location.isEmpty()) {
                    if (hop >= options.maxRedirects()) {
                        throw ActionException.permanent(
                                "too many redirects (more than " + options.maxRedirects() + ")");
                    }
                    URI next = resolve(url, location);
                    String refusal = redirectRefusal(url, next, status, body != null && !body.isNull());
                    if (refusal != null) {
                        throw ActionException.permanent(refusal);
                    }
                    if (!sameOrigin(url, next)) {
                        headers.keySet().removeIf(h -> !CROSS_ORIGIN_HEADERS.contains(h.toLowerCase(Locale.ROOT)));
                    }
                    if (status == 303
                            || ((status == 301 || status == 302) && !method.equals("GET") && !method.equals("HEAD"))) {
                        method = "GET";
                        body = null;
                    }
                    url = next;
                    secrets = secrets.and(secretsOf(next, Map.of()));
                    continue;
                }
                String type = ResponseReader.first(received, "content-type");
                byte[] bytes = readBody(response, running, url, call.timeout(), secrets);
                if (status >= 500 || status == 429) {
                    throw ActionException.retryable("HTTP " + status + " from " + Redaction.url(url) + " ("
                            + Redaction.body(bytes.length, type) + ")");
                }
                if (status >= 400) {
                    throw ActionException.permanent("HTTP " + status + " from " + Redaction.url(url) + " ("
                            + Redaction.body(bytes.length, type) + ")");
                }
                return ResponseReader.output(status, received, bytes, options.maxBodyValues(), ctx.values());
            } catch (ActionException e) {
                failure = e.getMessage();
                throw e;
            } finally {
                if (timer != null) {
                    timer.cancel(false);
                }
                if (running != null) {
                    running.finish();
                }
                closeQuietly(response);
                span.end(status == 0 ? null : Integer.toString(status), failure);
            }
        }
    }

    /**
     * One request in flight: its deadline aborts it (the connection is dropped, so a blocked
     * connect or read fails at once), and a body not read to its end is abandoned the same way
     * instead of being read out when the response is closed.
     */
    private static final class Call {
        private final HttpUriRequestBase request;
        private final AtomicBoolean timedOut = new AtomicBoolean();
        private volatile boolean bodyRead;

        Call(HttpUriRequestBase request) {
            this.request = request;
        }

        void expire() {
            timedOut.set(true);
            request.cancel();
        }

        boolean timedOut() {
            return timedOut.get();
        }

        void bodyRead() {
            bodyRead = true;
        }

        /** Drops the connection unless the body was read to its end (which hands it back). */
        void finish() {
            if (!bodyRead) {
                request.cancel();
            }
        }
    }

    /**
     * The headers with the client span's {@code traceparent}, so the server joins the execution's
     * trace; unchanged when tracing is off or the workflow sets its own.
     */
    private static Map<String, String> traced(Map<String, String> headers, TraceSpan span) {
        String tp = span.traceparent();
        if (tp == null || headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("traceparent"))) {
            return headers;
        }
        Map<String, String> out = new LinkedHashMap<>(headers);
        out.put("traceparent", tp);
        return out;
    }

    /**
     * Checks the destination and pins its host to the addresses checked; the pin must be closed
     * when the call to that host ends. Nothing to pin when the guard does not apply.
     */
    private DestinationResolver.Pin guard(URI url) throws ActionException {
        if (options.allowPrivateNetworks() || exempt.test(url)) {
            return DestinationResolver.NONE;
        }
        String host = url.getHost();
        try {
            InetAddress[] addresses = DestinationGuard.checked(host, lookup, judge);
            String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            return DestinationResolver.pin(bare, addresses);
        } catch (DestinationGuard.Refused refused) {
            throw ActionException.permanent("refused to connect to " + host + ": " + refused.getMessage()
                    + " (set http.allow_private_networks to allow internal destinations)");
        } catch (UnknownHostException e) {
            throw ActionException.retryable("cannot resolve host " + host, e);
        }
    }

    /** What a message about this call must never show: header values, user info, query values. */
    private static Redaction.Secrets secretsOf(URI url, Map<String, String> headers) {
        List<String> values = new ArrayList<>(headers.values());
        if (url.getRawUserInfo() != null) {
            values.add(url.getRawUserInfo());
            values.add(url.getUserInfo());
            int colon = url.getUserInfo().indexOf(':');
            if (colon >= 0) {
                values.add(url.getUserInfo().substring(colon + 1));
            }
        }
        if (url.getRawQuery() != null) {
            for (String pair : url.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                values.add(eq < 0 ? pair : pair.substring(eq + 1));
            }
        }
        return Redaction.Secrets.of(values);
    }

    private static Duration remaining(long deadline) throws ActionException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw ActionException.retryable("HTTP request ran out of time following redirects");
        }
        return Duration.ofNanos(left);
    }

    private static HttpUriRequestBase request(
            String method, URI url, Map<String, String> headers, JsonNode body, Duration left) throws ActionException {
        HttpUriRequestBase request;
        try {
            request = new HttpUriRequestBase(method, url);
            // The URL's user info is not sent (the client would refuse a request that carries it).
            String host = url.getHost();
            request.setAuthority(new URIAuthority(
                    host.startsWith("[") ? host.substring(1, host.length() - 1) : host, url.getPort()));
        } catch (IllegalArgumentException e) {
            // The message may quote the URL, user info included: name the part instead.
            throw ActionException.permanent(
                    "HTTP " + method + " " + Redaction.url(url) + " is not a valid request: bad host or port");
        }
        request.setConfig(RequestConfig.custom()
                .setResponseTimeout(Timeout.of(left))
                .setConnectionRequestTimeout(Timeout.of(left))
                .build());
        // Header names and values were checked when the call was read (HttpCall).
        headers.forEach(request::addHeader);
        if (body != null && !body.isNull()) {
            boolean text = body.isString();
            byte[] bytes = (text ? body.asString() : JSON.writeValueAsString(body)).getBytes(StandardCharsets.UTF_8);
            if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("content-type"))) {
                request.addHeader("Content-Type", text ? "text/plain; charset=utf-8" : "application/json");
            }
            // No content type on the entity: the header above, or the workflow's own, says it.
            request.setEntity(new ByteArrayEntity(bytes, (ContentType) null));
        }
        return request;
    }

    private ClassicHttpResponse send(
            HttpUriRequestBase request,
            Call running,
            String method,
            URI url,
            Duration timeout,
            Redaction.Secrets secrets)
            throws ActionException, InterruptedException {
        try {
            return client().executeOpen(null, request, null);
        } catch (IOException e) {
            if (Thread.interrupted()) {
                // A stop request: blocking socket calls end with an IOException on an interrupt.
                throw new InterruptedException("HTTP " + method + " " + Redaction.url(url) + " interrupted");
            }
            if (running.timedOut() || e instanceof InterruptedIOException) {
                throw ActionException.retryable(
                        "HTTP " + method + " " + Redaction.url(url) + " timed out after " + timeout.toMillis() + " ms");
            }
            throw ActionException.retryable(
                    "HTTP " + method + " " + Redaction.url(url) + " failed: " + secrets.mask(e.toString()));
        } catch (IllegalArgumentException e) {
            throw ActionException.permanent("HTTP " + method + " " + Redaction.url(url) + " is not a valid request: "
                    + secrets.mask(String.valueOf(e.getMessage())));
        }
    }

    /**
     * Reads the body, within the cap and before the call's deadline: a server that drips its body
     * one byte at a time is cut off when the deadline aborts the call.
     */
    private byte[] readBody(
            ClassicHttpResponse response, Call running, URI url, Duration timeout, Redaction.Secrets secrets)
            throws ActionException, InterruptedException {
        HttpEntity entity = response.getEntity();
        try {
            byte[] bytes = entity == null
                    ? new byte[0]
                    : ResponseReader.readCapped(
                            entity.getContent(), options.maxResponseBytes(), entity.getContentLength());
            running.bodyRead();
            return bytes;
        } catch (IOException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException("reading the response from " + Redaction.url(url) + " interrupted");
            }
            if (running.timedOut() || e instanceof InterruptedIOException) {
                throw ActionException.retryable("reading the response from " + Redaction.url(url) + " timed out after "
                        + timeout.toMillis() + " ms");
            }
            throw ActionException.retryable(
                    "reading the response from " + Redaction.url(url) + " failed: " + secrets.mask(e.toString()), e);
        }
    }

    /**
     * Why a redirect must not be followed, or {@code null}: leaving https for http would send the
     * request in the clear, and a 307 or 308 to another origin would resend the body there.
     */
    static String redirectRefusal(URI from, URI to, int status, boolean hasBody) {
        if (from.getScheme().equalsIgnoreCase("https") && to.getScheme().equalsIgnoreCase("http")) {
            return "refused redirect from " + Redaction.url(from) + " to " + Redaction.url(to)
                    + ": it leaves https for http";
        }
        if ((status == 307 || status == 308) && hasBody && !sameOrigin(from, to)) {
            return "refused HTTP " + status + " redirect to " + Redaction.url(to)
                    + ": it would send the request body to another origin";
        }
        return null;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI resolve(URI base, String location) throws ActionException {
        try {
            URI next = base.resolve(location);
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || next.getHost() == null) {
                throw ActionException.permanent("refused redirect to " + Redaction.url(next) + ": not an http(s) URL");
            }
            return next;
        } catch (IllegalArgumentException e) {
            throw ActionException.permanent("bad redirect location from " + Redaction.url(base));
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /** Timers of calls in flight; a finished call leaves none behind. */
    static int pendingDeadlines() {
        return DEADLINES.getQueue().size();
    }

    private static ScheduledThreadPoolExecutor scheduler(String threadName) {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(
                1,
                Thread.ofPlatform()
                        .name(threadName)
                        .daemon(true)
                        .inheritInheritableThreadLocals(false)
                        .factory());
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    private static void closeQuietly(ClassicHttpResponse response) {
        if (response == null) {
            return;
        }
        try {
            response.close();
        } catch (IOException e) {
            // A response read to its end or already dropped: a failure to close it changes nothing.
        }
    }
}
