package io.nebula.worker.observe;

import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.sdk.trace.IdGenerator;
import java.util.function.Supplier;

/**
 * The SDK's span ids: random, except an attempt's, which is a function of its execution id and
 * lease epoch. Each claim has its own lease epoch, so the id is unique within the trace, and the
 * next attempt of the execution, on whichever worker, can link to the one before without anything
 * stored: the earlier claim's id is computed again from the epoch before.
 *
 * <p>The SDK asks for a span id from inside {@code startSpan()}, without arguments; {@link
 * #naming} hands the chosen id over through a thread local for exactly that call.
 */
final class AttemptSpanIds implements IdGenerator {
    private static final IdGenerator RANDOM = IdGenerator.random();
    private final ThreadLocal<String> named = new ThreadLocal<>();

    /** The span id of the attempt with {@code leaseEpoch} of execution {@code executionId}: 16 hex digits, never all zeros. */
    static String of(long executionId, long leaseEpoch) {
        long h = mix(mix(executionId ^ 0x6e6562756c61L) + leaseEpoch);
        return SpanId.fromLong(h == 0 ? 1 : h);
    }

    /** SplitMix64's finaliser: every input bit reaches every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Runs {@code start}, whose one new span gets {@code spanId}. */
    <T> T naming(String spanId, Supplier<T> start) {
        named.set(spanId);
        try {
            return start.get();
        } finally {
            // Cleared rather than removed: a removal rescans the thread's map, on every attempt.
            named.set(null);
        }
    }

    @Override
    public String generateSpanId() {
        String id = named.get();
        if (id != null) {
            named.set(null);
            return id;
        }
        return RANDOM.generateSpanId();
    }

    @Override
    public String generateTraceId() {
        return RANDOM.generateTraceId();
    }
}
