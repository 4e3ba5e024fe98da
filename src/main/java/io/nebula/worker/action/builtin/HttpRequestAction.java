package io.nebula.worker.action.builtin;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.action.ParamReader;
import io.nebula.worker.json.Json;
import io.nebula.worker.observe.TraceSpan;
import io.nebula.worker.redact.Redaction;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
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
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code http.request}: one HTTP call with the JDK client. Parameters: {@code method} (GET),
 * {@code url}, {@code headers}, {@code body} (a string is sent as text, other JSON as JSON), {@code
 * timeout_seconds} (the whole call: connecting, redirects and reading the body), {@code
 * idempotency_key} (true: send {@code Idempotency-Key} with {@link ActionContext#idempotencyKey()}). Output: {@code
 * {status, headers, body}}, the body parsed when the response is JSON.
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
 */
public final class HttpRequestAction implements Action {
    private static final Logger log = LoggerFactory.getLogger(HttpRequestAction.class);
    private static final JsonMapper JSON = Json.MAPPER;
    /**
     * Closes a response body whose reading outlives its call's deadline. One daemon thread serves
     * every call; a call that ends cancels its timer, which leaves the queue at once, so a finished
     * call holds nothing here (a timer left to run out would keep its response stream and buffers
     * reachable for the whole timeout).
     */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

    /** Headers that may follow a redirect to another origin: none of them carries a credential. */
    static final Set<String> CROSS_ORIGIN_HEADERS =
            Set.of("accept", "accept-language", "content-language", "content-type", "user-agent", "idempotency-key");

    private final HttpActionOptions options;
    /** Built on the first call: building a JDK client takes tens of milliseconds of start-up. */
    private volatile HttpClient client;

    private final Predicate<URI> exempt;
    private final Function<InetAddress, String> judge;
    private final DestinationGuard.Lookup lookup;

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
        this.options = Objects.requireNonNull(options, "options");
        this.exempt = exempt;
        this.judge = judge;
        this.lookup = lookup;
        if (!options.allowPrivateNetworks() && !DestinationResolver.active()) {
            log.warn("name resolver not pinned: http.request checks addresses but the JVM uses another"
                    + " resolver provider, so a DNS answer that changes between check and connect is not stopped");
        }
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = HttpClient.newBuilder()
                            .followRedirects(HttpClient.Redirect.NEVER)
                            // A system proxy would hide the real destination from the guard.
                            .proxy(HttpClient.Builder.NO_PROXY)
                            .connectTimeout(options.defaultTimeout())
                            .build();
                    client = c;
                }
            }
        }
        return c;
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
            try (DestinationResolver.Pin pin = guard(url)) {
                HttpResponse<InputStream> response =
                        send(method, url, traced(headers, span), body, call.timeout(), remaining(deadline), secrets);
                status = response.statusCode();
                span.attribute("http.response.status_code", status);
                String location = response.headers().firstValue("location").orElse(null);
                if (isRedirect(status) && location != null) {
                    closeQuietly(response.body());
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
                String type = response.headers().firstValue("content-type").orElse("");
                byte[] bytes = readBody(response, url, deadline, call.timeout(), secrets);
                if (status >= 500 || status == 429) {
                    throw ActionException.retryable("HTTP " + status + " from " + Redaction.url(url) + " ("
                            + Redaction.body(bytes.length, type) + ")");
                }
                if (status >= 400) {
                    throw ActionException.permanent("HTTP " + status + " from " + Redaction.url(url) + " ("
                            + Redaction.body(bytes.length, type) + ")");
                }
                return ResponseReader.output(status, response.headers(), bytes);
            } catch (ActionException e) {
                failure = e.getMessage();
                throw e;
            } finally {
                span.end(status == 0 ? null : Integer.toString(status), failure);
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

    private HttpResponse<InputStream> send(
            String method,
            URI url,
            Map<String, String> headers,
            JsonNode body,
            Duration timeout,
            Duration left,
            Redaction.Secrets secrets)
            throws ActionException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(left);
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
        try {
            headers.forEach(b::header);
            if (body != null && !body.isNull()) {
                boolean text = body.isString();
                publisher = HttpRequest.BodyPublishers.ofString(text ? body.asString() : JSON.writeValueAsString(body));
                if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("content-type"))) {
                    b.header("Content-Type", text ? "text/plain; charset=utf-8" : "application/json");
                }
            }
            b.method(method, publisher);
        } catch (IllegalArgumentException e) {
            // The JDK quotes an offending header value in its message: say which rule, not what.
            throw ActionException.permanent("HTTP " + method + " " + Redaction.url(url) + " is not a valid request: "
                    + secrets.mask(e.getMessage()));
        }
        try {
            return client().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw ActionException.retryable(
                    "HTTP " + method + " " + Redaction.url(url) + " timed out after " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            throw ActionException.retryable(
                    "HTTP " + method + " " + Redaction.url(url) + " failed: " + secrets.mask(e.toString()));
        } catch (IllegalArgumentException e) {
            throw ActionException.permanent("HTTP " + method + " " + Redaction.url(url) + " is not a valid request: "
                    + secrets.mask(e.getMessage()));
        }
    }

    /**
     * Reads the body, within the cap and before the call's deadline: the client's timeout covers
     * only the wait for the headers, so a server that drips its body one byte at a time is cut off
     * here by closing the stream when time runs out.
     */
    private byte[] readBody(
            HttpResponse<InputStream> response, URI url, long deadline, Duration timeout, Redaction.Secrets secrets)
            throws ActionException {
        InputStream in = response.body();
        AtomicBoolean timedOut = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        long left = Math.max(0, deadline - System.nanoTime());
        ScheduledFuture<?> timer = DEADLINES.schedule(
                () -> {
                    if (!done.get()) {
                        timedOut.set(true);
                        closeQuietly(in);
                    }
                },
                left,
                TimeUnit.NANOSECONDS);
        try {
            return ResponseReader.readCapped(in, options.maxResponseBytes(), response.headers());
        } catch (IOException e) {
            if (timedOut.get()) {
                throw ActionException.retryable("reading the response from " + Redaction.url(url) + " timed out after "
                        + timeout.toMillis() + " ms");
            }
            throw ActionException.retryable(
                    "reading the response from " + Redaction.url(url) + " failed: " + secrets.mask(e.toString()), e);
        } finally {
            done.set(true);
            timer.cancel(false);
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

    /** Timers of calls whose body is being read now; a finished call leaves none behind. */
    static int pendingDeadlines() {
        return DEADLINES.getQueue().size();
    }

    private static ScheduledThreadPoolExecutor deadlines() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(
                1,
                Thread.ofPlatform()
                        .name("nebula-http-deadline")
                        .daemon(true)
                        .inheritInheritableThreadLocals(false)
                        .factory());
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // A body no longer wanted: a failure to discard it changes nothing.
        }
    }
}
