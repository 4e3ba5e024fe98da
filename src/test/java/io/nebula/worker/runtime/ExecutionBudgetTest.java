package io.nebula.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.workflow.Limits;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * What one execution may leave behind: the total of its node outputs and the length of its error
 * texts are bounded, and error texts never carry credentials of URLs.
 */
class ExecutionBudgetTest {
    private final RuntimeKit kit = new RuntimeKit(
            Limits.defaults(),
            RuntimeOptions.defaults().withExecutionBudgets(1024 * 1024, 1_000),
            HttpActionOptions.defaults(),
            Clock.systemUTC());

    @Test
    void manyLargeOutputsFailTheNodeThatPassesTheExecutionBudget() throws Exception {
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            nodes.append(i == 0 ? "" : ",")
                    .append("{\"id\": \"n")
                    .append(i)
                    .append("\", \"action\": \"transform\"")
                    .append(i == 0 ? "" : ", \"depends_on\": [\"n" + (i - 1) + "\"]")
                    .append(", \"params\": {\"value\": \"${{ input.s }}\"}}");
        }
        InMemoryAttempt a = kit.attempt(
                "{\"name\": \"fill\", \"nodes\": [" + nodes + "]}", "{\"s\": \"" + "x".repeat(300_000) + "\"}");

        RunOutcome o = a.runWith(kit.runtime);

        var f = (RunOutcome.Failed) o;
        assertThat(f.retryable()).isFalse();
        assertThat(f.error())
                .isEqualTo("node 'n3' (transform) output of 300002 bytes would bring the execution's node outputs to"
                        + " 1200008 bytes, more than the limit of 1048576 (limits.execution_output_bytes)");
        assertThat(a.writtenAnd(o))
                .extracting(NodeResult::nodeId, NodeResult::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("n0", NodeStatus.SUCCEEDED),
                        org.assertj.core.groups.Tuple.tuple("n1", NodeStatus.SUCCEEDED),
                        org.assertj.core.groups.Tuple.tuple("n2", NodeStatus.SUCCEEDED),
                        org.assertj.core.groups.Tuple.tuple("n3", NodeStatus.FAILED));
    }

    @Test
    void outputsRecordedByEarlierAttemptsCountTowardsTheBudget() throws Exception {
        String def = kit.load("""
                {"name": "two", "nodes": [
                  {"id": "a", "action": "transform", "params": {"value": "${{ input.s }}"}},
                  {"id": "b", "action": "fail", "depends_on": ["a"], "params": {"retryable": true, "times": 1}},
                  {"id": "c", "action": "transform", "depends_on": ["b"], "params": {"value": "${{ input.s }}"}},
                  {"id": "d", "action": "transform", "depends_on": ["c"], "params": {"value": "${{ input.s }}"}}]}""").canonicalJson();
        InMemoryAttempt first = InMemoryAttempt.first(def, "{\"s\": \"" + "y".repeat(400_000) + "\"}");
        RunOutcome o1 = first.runWith(kit.runtime);
        assertThat(((RunOutcome.Failed) o1).retryable()).isTrue();

        RunOutcome o2 = first.next(o1).runWith(kit.runtime);

        assertThat(((RunOutcome.Failed) o2).error())
                .startsWith("node 'd' (transform) output of 400002 bytes would bring the execution's node outputs to"
                        + " 1200041 bytes"); // a (recorded by the first attempt), b and c
    }

    @Test
    void theFailedTriesOfANodeKeepABoundedAmountOfErrorText() throws Exception {
        InMemoryAttempt a = kit.attempt("""
                {"name": "chatty", "nodes": [{"id": "again", "action": "fail",
                  "retry": {"attempts": 20, "backoff_ms": 1, "max_backoff_ms": 1},
                  "params": {"retryable": true, "message": "${{ input.m }}"}}]}""", "{\"m\": \"" + "e".repeat(5_000) + "\"}");

        var f = (RunOutcome.Failed) a.runWith(kit.runtime);

        var tries = f.unsaved().get(0).tries();
        assertThat(tries).hasSize(20);
        // Nine tries at full length (1,000 characters each) reach 8,192; the rest keep 120.
        assertThat(tries)
                .extracting(t -> t.error().length())
                .containsExactly(
                        1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 120, 120, 120, 120, 120, 120, 120, 120,
                        120, 120, 120);
    }

    @Test
    void aLongErrorIsCutAndSaysSo() throws Exception {
        InMemoryAttempt a = kit.attempt("""
                {"name": "loud", "nodes": [{"id": "shout", "action": "fail", "params": {"message": "${{ input.m }}"}}]}""", "{\"m\": \"" + "e".repeat(100_000) + "\"}");

        var f = (RunOutcome.Failed) a.runWith(kit.runtime);

        assertThat(f.error())
                .hasSize(1_000)
                .startsWith("node 'shout' (fail) failed after 1 attempt: eeee")
                .endsWith(" characters, more than limits.error_bytes]");
        assertThat(f.unsaved()).singleElement().extracting(NodeResult::error).isEqualTo(f.error());
    }

    @Test
    void errorTextsNeverCarryUrlCredentialsOrQueryValues() throws Exception {
        InMemoryAttempt a = kit.attempt("""
                {"name": "url", "nodes": [{"id": "call", "action": "fail",
                  "params": {"message": "upstream https://bob:hunter22@api.example/v1?token=sk-live-1234&page=2 said no"}}]}""", "{}");

        var f = (RunOutcome.Failed) a.runWith(kit.runtime);

        assertThat(f.error())
                .isEqualTo(
                        "node 'call' (fail) failed after 1 attempt: upstream https://***@api.example/v1?token=***&page=***"
                                + " said no")
                .doesNotContain("hunter22")
                .doesNotContain("sk-live-1234");
    }
}
