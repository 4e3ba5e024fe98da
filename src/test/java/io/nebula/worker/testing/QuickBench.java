package io.nebula.worker.testing;

import io.nebula.worker.pool.PoolOptions;
import io.nebula.worker.pool.Worker;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** Temporary throughput probe (not a test). */
public final class QuickBench {
    static final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> TIMES =
            new java.util.concurrent.ConcurrentSkipListMap<>();
    static final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> COUNTS =
            new java.util.concurrent.ConcurrentHashMap<>();

    static ExecutionStore timed(ExecutionStore s) {
        return (ExecutionStore) java.lang.reflect.Proxy.newProxyInstance(
                QuickBench.class.getClassLoader(), new Class<?>[] {ExecutionStore.class}, (p, m, args) -> {
                    long t = System.nanoTime();
                    try {
                        return m.invoke(s, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        String k = m.getName();
                        TIMES.computeIfAbsent(k, x -> new java.util.concurrent.atomic.AtomicLong())
                                .addAndGet(System.nanoTime() - t);
                        COUNTS.computeIfAbsent(k, x -> new java.util.concurrent.atomic.AtomicLong())
                                .incrementAndGet();
                    }
                });
    }

    static final java.util.concurrent.atomic.AtomicLong DONE = new java.util.concurrent.atomic.AtomicLong();

    public static void main(String[] a) throws Exception {
        String kind = a[0];
        int n = Integer.parseInt(a[1]);
        int conc = Integer.parseInt(a[2]);
        int batch = Integer.parseInt(a[3]);
        String schema = PostgresTestDatabase.newSchema();
        java.nio.file.Path dir = Files.createTempDirectory("qb");
        java.util.function.Supplier<ExecutionStore> open = kind.equals("pg")
                ? () -> PostgresTestDatabase.open(schema, StoreOptions.defaults("qb"))
                : () -> SqliteExecutionStore.open(dir.resolve("q.db"), StoreOptions.defaults("qb"));
        ExecutionStore s = open.get();
        s.migrate();
        WorkflowDocument wf = new WorkflowDocument("h", "w", "{}");
        s.workflowPut(wf);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i += 1000) {
            List<SubmitRequest> b = new ArrayList<>();
            for (int j = 0; j < 1000; j++) b.add(SubmitRequest.now("default", "h", "w", "{\"do\":\"succeed\"}", 1));
            s.executionSubmitMany(b);
        }
        System.out.printf("submit %d in %.2fs%n", n, (System.nanoTime() - t0) / 1e9);
        Worker w = Worker.builder()
                .options(PoolOptions.defaults("qb").withConcurrency(conc).withBatchSize(batch))
                .store(timed(open.get()), true)
                .runner(new ScriptedRunner())
                .listener(new io.nebula.worker.observe.WorkerListener() {
                    @Override
                    public void executionEnded(
                            io.nebula.worker.observe.ExecutionEvent e,
                            io.nebula.worker.observe.AttemptOutcome o,
                            java.time.Duration took,
                            String err) {
                        DONE.incrementAndGet();
                    }
                })
                .build();
        t0 = System.nanoTime();
        w.start();
        while (DONE.get() < n) {
            Thread.sleep(10);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%s drained %d in %.2fs = %.0f/s (conc %d batch %d)%n", kind, n, secs, n / secs, conc, batch);
        w.stop();
        TIMES.forEach((k, v) -> System.out.printf(
                "  %-28s calls=%6d total=%7.0fms avg=%.2fms%n",
                k,
                COUNTS.get(k).get(),
                v.get() / 1e6,
                v.get() / 1e6 / COUNTS.get(k).get()));
        s.close();
        if (kind.equals("pg")) PostgresTestDatabase.dropSchema(schema);
    }
}
