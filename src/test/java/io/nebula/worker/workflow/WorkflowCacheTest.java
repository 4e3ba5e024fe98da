package io.nebula.worker.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Compiled definitions are kept within a weight budget; a definition is read and compiled once
 * however many executions of it start at the same time, and one that does not compile is not
 * compiled again. A read that fails is not kept.
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

    /** A stored definition whose reads are counted, as a store would serve it. */
    private static final class Stored implements StoredDefinition {
        final String hash;
        final String text;
        final AtomicInteger reads;
        final CountDownLatch release;
        volatile RuntimeException failure;

        Stored(String text, AtomicInteger reads, CountDownLatch release) {
            this.hash = Canonical.sha256(text);
            this.text = text;
            this.reads = reads;
            this.release = release;
        }

        @Override
        public String workflowHash() {
            return hash;
        }

        @Override
        public String definitionJson() {
            reads.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            RuntimeException f = failure;
            if (f != null) {
                throw f;
            }
            return text;
        }
    }

    @Test
    void manyExecutionsStartingTogetherReadTheDefinitionOnceAndAHitReadsNothing() throws Exception {
        Workflows w = workflows(1 << 20);
        AtomicInteger reads = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Stored stored = new Stored(definition("shared", "{\"x\":1}"), reads, release);
        List<Thread> starters = new ArrayList<>();
        List<CompiledWorkflow> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 32; i++) {
            starters.add(Thread.ofVirtual().start(() -> {
                try {
                    seen.add(w.compile(stored));
                } catch (WorkflowInvalidException e) {
                    throw new AssertionError(e);
                }
            }));
        }
        Awaitility.await().until(() -> reads.get() >= 1);
        release.countDown();
        for (Thread t : starters) {
            t.join();
        }

        assertThat(seen).hasSize(32);
        assertThat(seen.stream().distinct().count()).isEqualTo(1);
        assertThat(reads.get()).isEqualTo(1);
        assertThat(counted.validations.get()).isEqualTo(1);
        assertThat(w.compile(stored)).isSameAs(seen.get(0));
        assertThat(reads.get()).as("a hit does not read the definition").isEqualTo(1);
    }

    @Test
    void aFailedReadReachesEveryCallerWaitingForItAndIsNotKept() throws Exception {
        Workflows w = workflows(1 << 20);
        AtomicInteger reads = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Stored stored = new Stored(definition("flaky", "{\"x\":2}"), reads, release);
        IllegalStateException down = new IllegalStateException("the store is down");
        stored.failure = down;
        List<Thread> starters = new ArrayList<>();
        List<Throwable> thrown = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 8; i++) {
            starters.add(Thread.ofVirtual().start(() -> {
                try {
                    w.compile(stored);
                } catch (Throwable t) {
                    thrown.add(t);
                }
            }));
        }
        Awaitility.await().until(() -> reads.get() >= 1);
        release.countDown();
        for (Thread t : starters) {
            t.join();
        }

        assertThat(thrown).hasSize(8).allMatch(t -> t == down);
        assertThat(w.cachedWeight()).isZero();
        stored.failure = null;
        int before = reads.get();
        assertThat(w.compile(stored).name()).isEqualTo("flaky");
        assertThat(reads.get()).as("the next caller reads it again").isEqualTo(before + 1);
    }

    @Test
    void aDefinitionHeavierThanTheWholeBudgetIsReadForEachUseAndNeverKept() throws Exception {
        CountDownLatch open = new CountDownLatch(0);
        AtomicInteger reads = new AtomicInteger();
        Stored small = new Stored(definition("small", "{\"x\":3}"), reads, open);
        long budget = 4L * small.text.length() * Workflows.COMPILED_PER_CHAR;
        Workflows w = workflows(budget);
        Stored huge = new Stored(
                definition("huge", "{\"pad\":\"" + "h".repeat(small.text.length() * 5) + "\"}"), reads, open);

        w.compile(small);
        w.compile(huge);
        w.compile(huge);
        w.compile(small);

        assertThat(w.cachedWeight()).isLessThanOrEqualTo(budget);
        assertThat(reads.get()).as("small read once, huge read each time").isEqualTo(3);
    }

    @Test
    void aWrongHashCostsAReadButNeverGivesAnotherDefinition() throws Exception {
        Workflows w = workflows(1 << 20);
        String first = definition("first", "{\"x\":4}");
        String second = definition("second", "{\"x\":5}");

        assertThat(w.compile("same", first).name()).isEqualTo("first");
        assertThat(w.compile("same", second).name()).isEqualTo("second");
    }

    @Test
    void aHitAllocatesNothing() throws Exception {
        Workflows w = workflows(1 << 20);
        Stored stored = new Stored(definition("hot", "{\"x\":6}"), new AtomicInteger(), new CountDownLatch(0));
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        CompiledWorkflow first = w.compile(stored);
        for (int i = 0; i < 1_000; i++) {
            w.compile(stored);
        }

        long before = threads.getCurrentThreadAllocatedBytes();
        int same = 0;
        for (int i = 0; i < 10_000; i++) {
            if (w.compile(stored) == first) {
                same++;
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(same).isEqualTo(10_000);
        assertThat(stored.reads.get()).isEqualTo(1);
        assertThat(allocated).as("bytes allocated by 10,000 hits").isLessThan(1_000);
    }
}
