package io.nebula.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import io.nebula.worker.workflow.CompiledWorkflow;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.Workflows;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * An attempt reads its definition from the store only when the process has not compiled it: once
 * per definition, even when many executions of a new one start together; a definition the store
 * cannot give is reported as unavailable (the execution is handed back) and is not cached.
 */
class DefinitionLoadTest {
    @TempDir
    Path tmp;

    private static final Action ECHO = new Action() {
        @Override
        public String name() {
            return "echo";
        }

        @Override
        public JsonNode execute(JsonNode params, ActionContext ctx) {
            return params;
        }
    };

    private static Workflows workflows() {
        return new Workflows(ActionRegistry.builder().register(ECHO).build(), Limits.defaults());
    }

    /** The definition as a submit stores it (validated by another process's engine). */
    private static LoadedWorkflow submitted(String name) throws Exception {
        return workflows()
                .loadText("{\"name\":\"" + name + "\",\"nodes\":[{\"id\":\"a\",\"action\":\"echo\"}]}", name + ".json");
    }

    private static LeasedAttempt attempt(long id, String hash, ExecutionStore store) {
        ManualPoolClock clock = new ManualPoolClock();
        ClaimedExecution claimed =
                new ClaimedExecution(id, "default", hash, "w", "{}", 1, 3, 1, false, false, Duration.ZERO);
        Running r =
                new Running(claimed, clock.nanoTime() + Duration.ofMinutes(1).toNanos(), clock.nanoTime());
        return new LeasedAttempt(r, Map.of(), null, store, null, clock);
    }

    @Test
    void manyExecutionsStartingTogetherLoadADefinitionOnce() throws Exception {
        try (ExecutionStore real = SqliteExecutionStore.open(tmp.resolve("d.db"), StoreOptions.defaults("d"))) {
            real.migrate();
            LoadedWorkflow w = submitted("w");
            real.workflowPut(w.document());
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
            Workflows worker = workflows();
            List<Thread> starters = new ArrayList<>();
            List<CompiledWorkflow> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 32; i++) {
                LeasedAttempt a = attempt(i, w.hash(), counting);
                starters.add(Thread.ofVirtual().start(() -> {
                    try {
                        seen.add(worker.compile(a));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            Awaitility.await().until(() -> loads.get() >= 1);
            release.countDown();
            for (Thread t : starters) {
                t.join();
            }
            assertThat(seen).hasSize(32).allMatch(c -> c.hash().equals(w.hash()));
            assertThat(loads.get()).isEqualTo(1);
            assertThat(worker.compile(attempt(99, w.hash(), counting)).name()).isEqualTo("w");
            assertThat(loads.get()).isEqualTo(1);
        }
    }

    @Test
    void aMissingDefinitionIsUnavailableAndIsNotCached() throws Exception {
        try (ExecutionStore real = SqliteExecutionStore.open(tmp.resolve("e.db"), StoreOptions.defaults("e"))) {
            real.migrate();
            LoadedWorkflow w = submitted("late");
            Workflows worker = workflows();
            assertThatThrownBy(() -> worker.compile(attempt(1, w.hash(), real)))
                    .isInstanceOf(LeasedAttempt.DefinitionUnavailable.class)
                    .hasCauseInstanceOf(StoreException.class)
                    .hasMessageContaining(w.hash());
            real.workflowPut(w.document());
            assertThat(worker.compile(attempt(2, w.hash(), real)).name()).isEqualTo("late");
        }
    }
}
