package io.nebula.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.RunOutcome;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Non-blocking actions run on the execution's own thread (no thread per node), blocking ones on
 * threads of their own; an inline node that must wait for a retry backoff moves to a thread; and
 * results that finish together are checkpointed in one call.
 */
class RuntimeInlineTest {

    /** {@code where}: records the thread of each call; fails retryably {@code failures} times first. */
    static final class Where implements Action {
        final boolean nonBlocking;
        final int failures;
        final List<Thread> threads = new CopyOnWriteArrayList<>();

        Where(boolean nonBlocking, int failures) {
            this.nonBlocking = nonBlocking;
            this.failures = failures;
        }

        @Override
        public String name() {
            return "where";
        }

        @Override
        public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException {
            threads.add(Thread.currentThread());
            if (threads.size() <= failures) {
                throw ActionException.retryable("not yet");
            }
            return JsonNodeFactory.instance.stringNode(ctx.nodeId());
        }

        @Override
        public boolean nonBlocking() {
            return nonBlocking;
        }
    }

    private static final String ONE = """
            {"name": "one", "nodes": [
              {"id": "n", "action": "where", "retry": {"attempts": 3, "backoff_ms": 10}}]}""";

    @Test
    void aNonBlockingActionRunsOnTheExecutionsOwnThread() throws Exception {
        var where = new Where(true, 0);
        var kit = new RuntimeKit(where);

        RunOutcome o = kit.attempt(ONE, "{}").runWith(kit.runtime);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(where.threads).containsExactly(Thread.currentThread());
    }

    @Test
    void aBlockingActionRunsOnAThreadOfItsOwn() throws Exception {
        var where = new Where(false, 0);
        var kit = new RuntimeKit(where);

        RunOutcome o = kit.attempt(ONE, "{}").runWith(kit.runtime);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(where.threads).hasSize(1).doesNotContain(Thread.currentThread());
    }

    @Test
    void anInlineNodeThatMustWaitForItsRetryBackoffContinuesOnAThreadOfItsOwn() throws Exception {
        var where = new Where(true, 2);
        var kit = new RuntimeKit(where);

        RunOutcome o = kit.attempt(ONE, "{}").runWith(kit.runtime);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(where.threads).hasSize(3);
        assertThat(where.threads.get(0)).isSameAs(Thread.currentThread());
        assertThat(where.threads.subList(1, 3)).doesNotContain(Thread.currentThread());
    }

    @Test
    void resultsThatFinishTogetherAreCheckpointedInOneCallBeforeTheirJoinStarts() throws Exception {
        var kit = new RuntimeKit();
        var a = kit.attempt("""
                {"name": "fan", "nodes": [
                  {"id": "start", "action": "noop"},
                  {"id": "a", "action": "noop", "depends_on": ["start"]},
                  {"id": "b", "action": "noop", "depends_on": ["start"]},
                  {"id": "c", "action": "noop", "depends_on": ["start"]},
                  {"id": "join", "action": "noop", "depends_on": ["a", "b", "c"]}]}""", "{}");

        RunOutcome o = a.runWith(kit.runtime);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(a.batches()).containsExactly(List.of("start"), List.of("a", "b", "c"));
        assertThat(o.unsaved()).extracting(NodeResult::nodeId).containsExactly("join");
    }
}
