package io.nebula.worker.secret;

import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import io.nebula.worker.redact.Redaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Resolves secret names to values through the configured providers, in order; the first that has
 * a name answers. Found values are kept for a while (at most {@link #CACHE_ENTRIES} names, each
 * for {@code cacheFor}), so a node does not read a file or call a secret store every time it runs,
 * and a rotated value is picked up once its entry expires. Names no provider has are not cached:
 * a secret set after a node failed for want of it is found by the next node.
 *
 * <p>Every value resolved is remembered by {@link Redaction#rememberSecret}, so this process masks
 * it in everything it logs, stores and prints. Thread-safe.
 */
public final class SecretResolver {
    /** The most secret names whose values are kept at once. */
    public static final int CACHE_ENTRIES = 1_000;

    private static final SecretResolver NONE = new SecretResolver(List.of(), Duration.ZERO);

    private final List<SecretProvider> providers;
    private final Cache<String, String> cache;

    public SecretResolver(List<SecretProvider> providers, Duration cacheFor) {
        this(providers, cacheFor, System::nanoTime);
    }

    /** @param nanoTime the clock the cache expires by (a hand-moved one in tests) */
    public SecretResolver(List<SecretProvider> providers, Duration cacheFor, LongSupplier nanoTime) {
        this.providers = List.copyOf(providers);
        Objects.requireNonNull(nanoTime, "nanoTime");
        if (cacheFor.isNegative()) {
            throw new IllegalArgumentException("negative cache time: " + cacheFor);
        }
        this.cache = cacheFor.isZero()
                ? null
                : CacheBuilder.newBuilder()
                        .maximumSize(CACHE_ENTRIES)
                        .expireAfterWrite(cacheFor)
                        .ticker(new Ticker() {
                            @Override
                            public long read() {
                                return nanoTime.getAsLong();
                            }
                        })
                        .<String, String>build();
    }

    /** A resolver without providers: every name is missing. */
    public static SecretResolver none() {
        return NONE;
    }

    /** The providers, in the order they are asked. */
    public List<SecretProvider> providers() {
        return providers;
    }

    /**
     * The values of {@code names}, by name.
     *
     * @throws SecretUnavailable for the first name that no provider has, or whose provider failed
     */
    public Map<String, String> resolve(Collection<String> names) throws SecretUnavailable {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : names) {
            out.put(name, resolve(name));
        }
        return out;
    }

    /** The value of one secret; see {@link #resolve(Collection)}. */
    public String resolve(String name) throws SecretUnavailable {
        String cached = cache == null ? null : cache.getIfPresent(name);
        if (cached != null) {
            return cached;
        }
        for (SecretProvider p : providers) {
            Optional<String> v;
            try {
                v = p.lookup(name);
            } catch (SecretException | RuntimeException e) {
                throw new SecretUnavailable(
                        name,
                        "secret '" + name + "' could not be read from the " + p.name() + " provider: "
                                + Redaction.redact(e.getMessage()),
                        true,
                        e);
            }
            if (v != null && v.isPresent()) {
                String value = v.get();
                Redaction.rememberSecret(value);
                if (cache != null) {
                    cache.put(name, value);
                }
                return value;
            }
        }
        throw new SecretUnavailable(name, notSet(name), false, null);
    }

    /**
     * The names among {@code names} that no provider has, with why, in order; a provider that
     * fails to answer counts as not knowing (the name is not reported).
     */
    public List<String> missing(Collection<String> names) {
        List<String> out = new ArrayList<>();
        for (String name : names) {
            try {
                resolve(name);
            } catch (SecretUnavailable e) {
                if (!e.retryable()) {
                    out.add(e.getMessage());
                }
            }
        }
        return out;
    }

    private String notSet(String name) {
        if (providers.isEmpty()) {
            return "secret '" + name + "' is not set: this worker has no secret providers"
                    + " (set secrets.env_prefix or secrets.dir)";
        }
        List<String> where = new ArrayList<>();
        for (SecretProvider p : providers) {
            try {
                where.add(p.where(name));
            } catch (RuntimeException e) {
                where.add(p.name() + " provider");
            }
        }
        return "secret '" + name + "' is not set: looked for " + String.join(", ", where);
    }
}
