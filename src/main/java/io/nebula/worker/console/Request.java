package io.nebula.worker.console;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request as the routes see it: method, path, query and form parameters (the first value of
 * each name), cookies and the headers the guard checks.
 */
record Request(
        HttpExchange exchange,
        String method,
        String path,
        Map<String, String> query,
        Map<String, String> form,
        Map<String, String> cookies) {

    /** The largest form body read; the console's forms are a few fields. */
    static final int MAX_FORM_BYTES = 16 * 1024;

    static Request read(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        Map<String, String> form = Map.of();
        if (method.equals("POST")) {
            String type = header(ex, "Content-Type");
            if (type != null
                    && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
                form = parse(body(ex.getRequestBody()));
            }
        }
        return new Request(
                ex,
                method,
                ex.getRequestURI().getPath(),
                parse(ex.getRequestURI().getRawQuery()),
                form,
                cookies(header(ex, "Cookie")));
    }

    String header(String name) {
        return header(exchange, name);
    }

    /** Whether htmx sent this request (it then swaps a fragment instead of loading a page). */
    boolean fromHtmx() {
        return "true".equals(header("HX-Request"));
    }

    private static String header(HttpExchange ex, String name) {
        return ex.getRequestHeaders().getFirst(name);
    }

    private static String body(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_FORM_BYTES + 1);
        if (bytes.length > MAX_FORM_BYTES) {
            throw new IllegalArgumentException("the form is larger than " + MAX_FORM_BYTES + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static Map<String, String> parse(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(
                        URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a parameter is not properly percent-encoded", e);
            }
        }
        return out;
    }

    private static Map<String, String> cookies(String header) {
        Map<String, String> out = new LinkedHashMap<>();
        if (header == null) {
            return out;
        }
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.putIfAbsent(
                        part.substring(0, eq).strip(), part.substring(eq + 1).strip());
            }
        }
        return out;
    }
}
