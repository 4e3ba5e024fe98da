package io.nebula.worker.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code key=value,key=value} lists of the OpenTelemetry variables ({@code
 * OTEL_RESOURCE_ATTRIBUTES}, {@code OTEL_EXPORTER_OTLP_HEADERS}): keys are trimmed, values
 * percent-decoded.
 */
public final class OtelPairs {
    /** One or more pairs; a value may not contain a comma (percent-encode it as %2C). */
    static final Pattern SHAPE = Pattern.compile("\\s*[^=,\\s][^=,]*=[^,]*(,\\s*[^=,\\s][^=,]*=[^,]*)*\\s*,?\\s*");

    private OtelPairs() {}

    /** The pairs of {@code text} in their order; empty for {@code null}. */
    public static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null) {
            return out;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = pair.substring(0, eq).strip();
            String value =
                    URLDecoder.decode(pair.substring(eq + 1).strip().replace("+", "%2B"), StandardCharsets.UTF_8);
            if (!key.isEmpty()) {
                out.put(key, value);
            }
        }
        return out;
    }
}
