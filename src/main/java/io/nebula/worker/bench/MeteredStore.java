package io.nebula.worker.bench;

import io.nebula.worker.queue.ExecutionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the calls a worker makes to its store and the time they take, by method, by wrapping the
 * store in a dynamic proxy. This is how the report shows store round trips per execution and
 * where the time goes without touching the pool or the store. The proxy adds well under a
 * microsecond per call, small next to a database round trip.
 */
final class MeteredStore {
    private record Tally(LongAdder calls, LongAdder nanos) {}

    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();
    private final ExecutionStore store;

    MeteredStore(ExecutionStore target) {
        this.store = (ExecutionStore) Proxy.newProxyInstance(
                ExecutionStore.class.getClassLoader(), new Class<?>[] {ExecutionStore.class}, (proxy, m, args) -> {
                    if (m.getParameterCount() == 0 && m.getReturnType().isAssignableFrom(ExecutionStore.class)) {
                        // A role's accessor (leases(), maintenance()...): the pool asks once for the
                        // role it uses and calls it from then on, so the proxy answers for every
                        // role and those calls are counted too.
                        return proxy;
                    }
                    long t0 = System.nanoTime();
                    try {
                        return m.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        Tally t =
                                tallies.computeIfAbsent(m.getName(), k -> new Tally(new LongAdder(), new LongAdder()));
                        t.calls().increment();
                        t.nanos().add(System.nanoTime() - t0);
                    }
                });
    }

    ExecutionStore store() {
        return store;
    }

    /** Clears the counts (after start-up, before the timed part). */
    void reset() {
        tallies.clear();
    }

    /**
     * Per method: calls per execution and mean milliseconds per call, for the hot-path methods
     * (those called at least once per thousand executions).
     */
    Map<String, Object> perExecution(long executions) {
        Map<String, Object> out = new LinkedHashMap<>();
        new TreeMap<>(tallies).forEach((name, t) -> {
            long calls = t.calls().sum();
            if (calls * 1000 >= executions) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("calls", calls);
                v.put("calls_per_execution", round(calls / (double) executions, 4));
                v.put("mean_ms", round(t.nanos().sum() / 1e6 / calls, 3));
                out.put(name, v);
            }
        });
        return out;
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
