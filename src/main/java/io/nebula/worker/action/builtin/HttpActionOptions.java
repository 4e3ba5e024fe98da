package io.nebula.worker.action.builtin;

import java.time.Duration;

/**
 * Settings of the {@code http.request} action, built by the worker from its {@code [http]}
 * configuration.
 *
 * @param allowPrivateNetworks when {@code false} (the default), loopback, private, link-local and
 *     other internal destinations are refused, including redirects to them
 * @param maxResponseBytes a response body longer than this fails the node (permanently)
 * @param defaultTimeout the request timeout when the node gives no {@code timeout_seconds}
 * @param maxRedirects redirects followed before failing
 * @param maxBodyValues a JSON response body holding more JSON values than this fails the node
 *     (permanently) before it is parsed into a tree ({@code limits.execution_values})
 */
public record HttpActionOptions(
        boolean allowPrivateNetworks,
        long maxResponseBytes,
        Duration defaultTimeout,
        int maxRedirects,
        long maxBodyValues) {

    public HttpActionOptions {
        if (maxResponseBytes < 1) {
            throw new IllegalArgumentException("maxResponseBytes must be positive: " + maxResponseBytes);
        }
        if (defaultTimeout == null || !defaultTimeout.isPositive()) {
            throw new IllegalArgumentException("defaultTimeout must be positive: " + defaultTimeout);
        }
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must not be negative: " + maxRedirects);
        }
        if (maxBodyValues < 1) {
            throw new IllegalArgumentException("maxBodyValues must be positive: " + maxBodyValues);
        }
    }

    /**
     * Safe defaults: no internal destinations, 1 MiB bodies of at most 100,000 JSON values, 30 s, 5
     * redirects.
     */
    public static HttpActionOptions defaults() {
        return new HttpActionOptions(false, 1024 * 1024, Duration.ofSeconds(30), 5, 100_000);
    }

    public HttpActionOptions withAllowPrivateNetworks(boolean allow) {
        return new HttpActionOptions(allow, maxResponseBytes, defaultTimeout, maxRedirects, maxBodyValues);
    }

    public HttpActionOptions withMaxResponseBytes(long max) {
        return new HttpActionOptions(allowPrivateNetworks, max, defaultTimeout, maxRedirects, maxBodyValues);
    }

    public HttpActionOptions withMaxBodyValues(long max) {
        return new HttpActionOptions(allowPrivateNetworks, maxResponseBytes, defaultTimeout, maxRedirects, max);
    }
}
