package io.nebula.worker.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Compiled definitions are kept within a weight budget; a definition is compiled once however many
 * executions of it start at the same time, and one that does not compile is not compiled again.
 */
class WorkflowCacheTest {
    /** Counts how often definitions using it are validated (once per node per compile). */
    private static final class Counted implements Action {
        final AtomicInteger validations = new AtomicInteger();

        @Override
        public String name() {
            return "counted";
        }

        @Override
        public List<String> validate(JsonNode params) {
            validations.incrementAndGet();
            return params != null && params.has("bad") ? List.of("bad: refused") : List.of();
        }

        @Override
        public JsonNode execute(JsonNode params, ActionContext ctx) {
            return params;
        }
    }

    private final Counted counted = new Counted();

    private Workflows workflows(long cacheBytes) {
        return new Workflows(
                ActionRegistry.builder().register(counted).build(),
                Limits.defaults().withCacheBytes(cacheBytes));
    }

    private static String definition(String name, String params) {
        return "{\"name\":\"" + name + "\",\"nodes\":[{\"action\":\"counted\",\"id\":\"a\",\"params\":" + params
                + "}]}";
    }

    @Test
    void manyStartingTogetherCompileOnceAndTheResultIsKept() throws Exception {
        Workflows w = workflows(1 << 20);
        String def = definition("together", "{\"x\":1}");
        List<Thread> threads = new ArrayList<>();
        List<CompiledWorkflow> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 16; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    seen.add(w.compile(def));
                } catch (WorkflowInvalidException e) {
                    throw new AssertionError(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }

        assertThat(seen).hasSize(16);
        assertThat(seen.stream().distinct().count()).isEqualTo(1);
        assertThat(counted.validations.get()).isEqualTo(1);
    }

    @Test
    void aDefinitionThatDoesNotCompileIsRememberedAsSuch() {
        Workflows w = workflows(1 << 20);
        String bad = definition("bad", "{\"bad\":true}");

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> w.compile(bad))
                    .isInstanceOf(WorkflowInvalidException.class)
                    .hasMessageContaining("invalid params for 'counted': bad: refused");
        }
        assertThat(counted.validations.get()).isEqualTo(1);
    }

    @Test
    void theCacheStaysWithinItsWeightAndDropsTheLeastRecentlyUsed() throws Exception {
        String a = definition("a", "{\"pad\":\"" + "a".repeat(200) + "\"}");
        String b = definition("b", "{\"pad\":\"" + "b".repeat(200) + "\"}");
        String c = definition("c", "{\"pad\":\"" + "c".repeat(200) + "\"}");
        long each = (long) a.length() * Workflows.COMPILED_PER_CHAR;
        Workflows w = workflows(2 * each + 10);

        w.compile(a);
        w.compile(b);
        w.compile(a); // a is now the most recently used
        w.compile(c); // b goes
        assertThat(w.cachedWeight()).isLessThanOrEqualTo(2 * each + 10);
        int before = counted.validations.get();
        w.compile(a);
        w.compile(c);
        assertThat(counted.validations.get()).as("a and c were kept").isEqualTo(before);
        w.compile(b);
        assertThat(counted.validations.get()).as("b was dropped").isEqualTo(before + 1);
    }
}
