package io.nebula.worker.action.builtin;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.action.ParamReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code http.request}: one HTTP call with the JDK client. Parameters: {@code method} (GET),
 * {@code url}, {@code headers}, {@code body} (a string is sent as text, other JSON as JSON), {@code
 * timeout_seconds}, {@code idempotency_key} (true: send {@code Idempotency-Key: <execution>:<node>}).
 * Output: {@code {status, headers, body}}, the body parsed when the response is JSON.
 *
 * <p>Errors: 5xx, 429, timeouts and connection failures are retryable; other 4xx, an oversized body
 * and refused destinations are permanent. Redirects are followed by hand (at most {@link
 * HttpActionOptions#maxRedirects()}) so that each hop passes the {@link DestinationGuard}; an
 * {@code Authorization} or {@code Cookie} header is not forwarded to another origin.
 */
public final class HttpRequestAction implements Action {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpActionOptions options;
    private final HttpClient client;
    private final Predicate<URI> exempt;

    public HttpRequestAction(HttpActionOptions options) {
        this(options, url -> false);
    }

    /**
     * @param exempt destinations admitted without the guard's check; a seam for tests, which need
     *     one loopback server reachable while every other internal address stays refused
     */
    HttpRequestAction(HttpActionOptions options, Predicate<URI> exempt) {
        this.options = Objects.requireNonNull(options, "options");
        this.exempt = exempt;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                // A system proxy would hide the real destination from the guard.
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(options.defaultTimeout())
                .build();
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
        for (int hop = 0; ; hop++) {
            guard(url);
            HttpResponse<InputStream> response = send(method, url, headers, body, call.timeout());
            int status = response.statusCode();
            String location = response.headers().firstValue("location").orElse(null);
            if (isRedirect(status) && location != null) {
                closeQuietly(response.body());
                if (hop >= options.maxRedirects()) {
                    throw ActionException.permanent("too many redirects (more than " + options.maxRedirects() + ")");
                }
                URI next = resolve(url, location);
                if (!sameOrigin(url, next)) {
                    headers.keySet().removeIf(h -> h.equalsIgnoreCase("authorization") || h.equalsIgnoreCase("cookie"));
                }
                if (status == 303
                        || ((status == 301 || status == 302) && !method.equals("GET") && !method.equals("HEAD"))) {
                    method = "GET";
                    body = null;
                }
                url = next;
                continue;
            }
            byte[] bytes;
            try {
                bytes = ResponseReader.readCapped(response.body(), options.maxResponseBytes(), response.headers());
            } catch (IOException e) {
                throw ActionException.retryable("reading the response from " + url + " failed: " + e, e);
            }
            if (status >= 500 || status == 429) {
                throw ActionException.retryable("HTTP " + status + " from " + url + ResponseReader.snippet(bytes));
            }
            if (status >= 400) {
                throw ActionException.permanent("HTTP " + status + " from " + url + ResponseReader.snippet(bytes));
            }
            return ResponseReader.output(status, response.headers(), bytes);
        }
    }

    private void guard(URI url) throws ActionException {
        if (options.allowPrivateNetworks() || exempt.test(url)) {
            return;
        }
        try {
            String reason = DestinationGuard.check(url.getHost());
            if (reason != null) {
                throw ActionException.permanent("refused to connect to " + url.getHost() + ": " + reason
                        + " (set http.allow_private_networks to allow internal destinations)");
            }
        } catch (UnknownHostException e) {
            throw ActionException.retryable("cannot resolve host " + url.getHost(), e);
        }
    }

    private HttpResponse<InputStream> send(
            String method, URI url, Map<String, String> headers, JsonNode body, Duration timeout)
            throws ActionException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout);
        headers.forEach(b::header);
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
        if (body != null && !body.isNull()) {
            boolean text = body.isString();
            publisher = HttpRequest.BodyPublishers.ofString(text ? body.asString() : JSON.writeValueAsString(body));
            if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("content-type"))) {
                b.header("Content-Type", text ? "text/plain; charset=utf-8" : "application/json");
            }
        }
        b.method(method, publisher);
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw ActionException.retryable(
                    "HTTP " + method + " " + url + " timed out after " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw ActionException.retryable("HTTP " + method + " " + url + " failed: " + e, e);
        } catch (IllegalArgumentException e) {
            throw ActionException.permanent(
                    "HTTP " + method + " " + url + " is not a valid request: " + e.getMessage(), e);
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI resolve(URI base, String location) throws ActionException {
        try {
            URI next = base.resolve(location);
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || next.getHost() == null) {
                throw ActionException.permanent("refused redirect to '" + location + "': not an http(s) URL");
            }
            return next;
        } catch (IllegalArgumentException e) {
            throw ActionException.permanent("bad redirect location '" + location + "'", e);
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

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // The redirect's own body is not needed; a failure to discard it changes nothing.
        }
    }
}
