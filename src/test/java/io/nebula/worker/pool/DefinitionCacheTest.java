package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Definitions are loaded once per hash, even when many executions of a new one start together. */
class DefinitionCacheTest {
    @TempDir
    Path tmp;

    @Test
    void manyExecutionsStartingTogetherLoadADefinitionOnce() throws Exception {
        try (ExecutionStore real = SqliteExecutionStore.open(tmp.resolve("d.db"), StoreOptions.defaults("d"))) {
            real.migrate();
            real.workflowPut(new WorkflowDocument("h1", "w", "{\"name\":\"w\"}"));
            AtomicInteger loads = new AtomicInteger();
            CountDownLatch release = new CountDownLatch(1);
            ExecutionStore counting = (ExecutionStore) Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {ExecutionStore.class}, (p, m, args) -> {
                        if (m.getName().equals("workflowGet")) {
                            loads.incrementAndGet();
                            release.await();
                        }
                        return m.invoke(real, args);
                    });
            DefinitionCache cache = new DefinitionCache(counting, 1 << 20);
            List<Thread> starters = new ArrayList<>();
            List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 32; i++) {
                starters.add(Thread.ofVirtual().start(() -> seen.add(cache.get("h1"))));
            }
            org.awaitility.Awaitility.await().until(() -> loads.get() >= 1);
            release.countDown();
            for (Thread t : starters) {
                t.join();
            }
            assertThat(seen).hasSize(32).allMatch("{\"name\":\"w\"}"::equals);
            assertThat(loads.get()).isEqualTo(1);
            assertThat(cache.get("h1")).isEqualTo("{\"name\":\"w\"}");
            assertThat(loads.get()).isEqualTo(1);
        }
    }

    @Test
    void theTextsHeldStayWithinTheByteBudgetAndAnOversizedOneIsNeverKept() throws Exception {
        try (ExecutionStore real = SqliteExecutionStore.open(tmp.resolve("b.db"), StoreOptions.defaults("b"))) {
            real.migrate();
            AtomicInteger loads = new AtomicInteger();
            ExecutionStore counting = (ExecutionStore) Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {ExecutionStore.class}, (p, m, args) -> {
                        if (m.getName().equals("workflowGet")) {
                            loads.incrementAndGet();
                        }
                        return m.invoke(real, args);
                    });
            String sixty = "{\"name\":\"" + "w".repeat(50) + "\"}";
            for (String h : List.of("a", "b", "c")) {
                real.workflowPut(new WorkflowDocument(h, "w", sixty));
            }
            real.workflowPut(new WorkflowDocument("huge", "w", "{\"name\":\"" + "h".repeat(500) + "\"}"));
            DefinitionCache cache = new DefinitionCache(counting, 150);

            for (String h : List.of("a", "b", "c", "a", "b", "c")) {
                cache.get(h);
                assertThat(cache.heldChars()).isLessThanOrEqualTo(150);
            }
            cache.get("huge");
            cache.get("huge");

            assertThat(cache.heldChars()).isLessThanOrEqualTo(150);
            assertThat(loads.get())
                    .as("the third text starts the cache over; the huge one is loaded each time")
                    .isBetween(5, 8);
            int before = loads.get();
            cache.get("huge");
            assertThat(loads.get()).isEqualTo(before + 1);
        }
    }

    @Test
    void aMissingDefinitionIsAnErrorAndIsNotCached() throws Exception {
        try (ExecutionStore real = SqliteExecutionStore.open(tmp.resolve("e.db"), StoreOptions.defaults("e"))) {
            real.migrate();
            DefinitionCache cache = new DefinitionCache(real, 1 << 20);
            assertThatThrownBy(() -> cache.get("nope"))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("nope");
            real.workflowPut(new WorkflowDocument("nope", "w", "{}"));
            assertThat(cache.get("nope")).isEqualTo("{}");
        }
    }
}
