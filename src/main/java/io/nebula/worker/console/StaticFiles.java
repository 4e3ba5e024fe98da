package io.nebula.worker.console;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;

/**
 * The console's scripts and styles, served from the jar: htmx from its webjar and the console's
 * own stylesheet. Nothing is fetched from anywhere else.
 */
final class StaticFiles {
    private static final String HTMX_POM = "META-INF/maven/org.webjars.npm/htmx.org/pom.properties";

    private final Map<String, Asset> assets;

    private record Asset(String type, byte[] body) {}

    private StaticFiles(Map<String, Asset> assets) {
        this.assets = assets;
    }

    /** Loads every asset once; a missing one stops the console from starting. */
    static StaticFiles load() throws IOException {
        String htmx = "META-INF/resources/webjars/htmx.org/" + htmxVersion() + "/dist/htmx.min.js";
        return new StaticFiles(Map.of(
                "/static/htmx.min.js",
                new Asset("text/javascript; charset=utf-8", Routes.resource(htmx)),
                "/static/console.css",
                new Asset("text/css; charset=utf-8", Routes.resource("io/nebula/worker/console/console.css")),
                "/favicon.ico",
                new Asset("image/svg+xml", Routes.resource("io/nebula/worker/console/favicon.svg"))));
    }

    /** The htmx version bundled in the jar, read from its webjar's Maven metadata. */
    static String htmxVersion() throws IOException {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(HTMX_POM)) {
            if (in == null) {
                throw new IOException("the htmx webjar is missing from the class path (" + HTMX_POM + ")");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }

    int serve(Request r, Routes routes) throws IOException {
        Asset a = assets.get(r.path());
        if (a == null) {
            return routes.send(r.exchange(), 404, "text/plain; charset=utf-8", "not found\n");
        }
        if (!r.method().equals("GET") && !r.method().equals("HEAD")) {
            return routes.send(r.exchange(), 405, "text/plain; charset=utf-8", "method not allowed\n");
        }
        return Routes.send(r.exchange(), 200, a.type(), a.body(), "public, max-age=3600");
    }
}
