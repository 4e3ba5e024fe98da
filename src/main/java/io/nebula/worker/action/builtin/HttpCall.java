package io.nebula.worker.action.builtin;

import io.nebula.worker.action.ParamReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The parameters of one {@code http.request} node, read and checked by {@link ParamReader}.
 *
 * @param body {@code null} for no body; a string is sent as text, any other JSON value as JSON
 */
record HttpCall(
        String method,
        URI url,
        Map<String, String> headers,
        JsonNode body,
        Duration timeout,
        boolean sendIdempotencyKey) {

    static final Set<String> PARAMS = Set.of("method", "url", "headers", "body", "timeout_seconds", "idempotency_key");
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    /** Headers the JDK client sets itself and refuses from callers. */
    static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

    /** Reads the call; with a validating reader, fields that are expressions come back null. */
    static HttpCall read(ParamReader r, Duration defaultTimeout) {
        r.rejectUnknown(PARAMS);
        String method = r.string("method", false);
        if (method != null && !METHODS.contains(method.toUpperCase(Locale.ROOT))) {
            r.problem("method: must be one of " + METHODS.stream().sorted().toList() + ", got '" + method + "'");
        }
        String url = r.string("url", true);
        URI uri = url == null ? null : parseUrl(r, url);
        Map<String, String> headers = r.stringMap("headers");
        for (String h : headers.keySet()) {
            if (RESTRICTED.contains(h.toLowerCase(Locale.ROOT))) {
                r.problem("headers: '" + h + "' is set by the HTTP client and cannot be given");
            }
        }
        Double seconds = r.number("timeout_seconds", false, 0.001, 3600);
        Boolean key = r.bool("idempotency_key", false);
        return new HttpCall(
                method == null ? "GET" : method.toUpperCase(Locale.ROOT),
                uri,
                headers,
                r.value("body", false),
                seconds == null ? defaultTimeout : Duration.ofMillis(Math.round(seconds * 1000)),
                !Boolean.FALSE.equals(key));
    }

    private static URI parseUrl(ParamReader r, String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                r.problem("url: must be an http or https URL, got '" + url + "'");
                return null;
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                r.problem("url: has no host: '" + url + "'");
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            r.problem("url: is not a valid URL: " + e.getMessage());
            return null;
        }
    }
}
