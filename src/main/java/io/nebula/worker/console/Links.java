package io.nebula.worker.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The console's URLs. Every value that came from the store or a person (queue names, node ids,
 * workflow names) goes into a query string, percent-encoded, never into a path.
 */
final class Links {
    private Links() {}

    static String execution(long id) {
        return "/executions/" + id;
    }

    static String executionLive(long id) {
        return "/executions/" + id + "/live";
    }

    static String node(long id, String nodeId) {
        return "/executions/" + id + "/node?id=" + encode(nodeId);
    }

    static String retry(long id, boolean fromScratch) {
        return "/executions/" + id + "/retry" + (fromScratch ? "?from_scratch=true" : "");
    }

    static String cancel(long id) {
        return "/executions/" + id + "/cancel";
    }

    static String signal(long id, String name) {
        return "/executions/" + id + "/signal" + (name == null ? "" : "?name=" + encode(name));
    }

    static String schedulePause(String name, boolean pause) {
        return "/schedules/" + (pause ? "pause" : "resume") + "?name=" + encode(name);
    }

    static String pause(String queue) {
        return "/queues/pause?queue=" + encode(queue);
    }

    static String resume(String queue) {
        return "/queues/resume?queue=" + encode(queue);
    }

    static String workflow(String hash) {
        return "/workflows/view?hash=" + encode(hash);
    }

    /** The executions list with these filters; {@code null} and empty values are left out. */
    static String executions(Map<String, String> filters) {
        StringJoiner q = new StringJoiner("&", "/executions?", "").setEmptyValue("/executions");
        filters.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                q.add(k + "=" + encode(v));
            }
        });
        return q.toString();
    }

    /** The confirmation of a retry of every execution these filters match. */
    static String bulkRetry(Map<String, String> filters) {
        return executions(filters).replaceFirst("^/executions", "/executions/retry");
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
