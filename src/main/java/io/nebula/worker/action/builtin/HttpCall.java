package io.nebula.worker.action.builtin;

import io.nebula.worker.action.ParamReader;
import io.nebula.worker.redact.Redaction;
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

    /**
     * Headers the HTTP client sets itself (or, for {@code transfer-encoding}, refuses to send beside
     * its own framing): a workflow may not give them.
     */
    static final Set<String> RESTRICTED =
            Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding");

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
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String name = h.getKey();
            if (!isToken(name)) {
                r.problem("headers: " + quoted(name) + " is not a valid header name (letters, digits and"
                        + " !#$%&'*+-.^_`|~ only)");
            } else if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                r.problem("headers: '" + name + "' is set by the HTTP client and cannot be given");
            }
            boolean unknownYet = r.validating() && h.getValue().contains(ParamReader.EXPRESSION_MARK);
            String bad = unknownYet ? null : badValue(h.getValue());
            if (bad != null) {
                // The value is never quoted: header values are where tokens and passwords go.
                r.problem("headers: the value of " + quoted(name) + " " + bad);
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

    /** Why java.net.URI found no host in {@code authority}, where that can be said in a few words. */
    private static String hostAdvice(String authority) {
        if (authority == null) {
            return "";
        }
        String hostAndPort = authority.substring(authority.lastIndexOf('@') + 1);
        if (hostAndPort.matches("[0-9.]+(:[0-9]*)?")) {
            return " (an address is written in full, such as 127.0.0.1)";
        }
        if (hostAndPort.contains("_")) {
            return " (a host name holds letters, digits, '-' and '.', not '_')";
        }
        return "";
    }

    /** The URL checked; messages about it never quote its user info or query values. */
    private static URI parseUrl(ParamReader r, String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                r.problem("url: must be an http or https URL, got '" + shown(url) + "'");
                return null;
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                r.problem("url: has no host name or address that can be used" + hostAdvice(uri.getRawAuthority())
                        + ": '" + Redaction.url(uri) + "'");
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            // The exception's message repeats the whole URL; its reason and index do not.
            r.problem("url: is not a valid URL: " + e.getReason()
                    + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
            return null;
        }
    }

    /** A URL that is not http(s), for a message: credentials masked, at most 200 characters. */
    private static String shown(String url) {
        String r = Redaction.redact(url);
        return r.length() <= 200 ? r : r.substring(0, 200) + "...";
    }

    /** RFC 9110 token: the characters a header name may have. */
    static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * What is wrong with a header value, or {@code null}: HTTP carries tab, visible ASCII, space and
     * bytes 0x80 to 0xFF; a line break would end the header (and the JDK client refuses it, quoting
     * the value in its message).
     */
    static String badValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                return "contains a line break at position " + (i + 1) + " (a value read with its trailing"
                        + " newline?)";
            }
            if (c > 0xff) {
                return "contains a character above U+00FF at position " + (i + 1) + ", which HTTP headers cannot carry";
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return "contains a control character at position " + (i + 1);
            }
        }
        return null;
    }

    /** A header name for a message, with control characters shown as escapes. */
    private static String quoted(String name) {
        StringBuilder b = new StringBuilder("'");
        name.chars().limit(64).forEach(c -> {
            if (c < 0x20 || c == 0x7f || c > 0x7e) {
                b.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                b.append((char) c);
            }
        });
        return b.append(name.length() > 64 ? "...'" : "'").toString();
    }
}
