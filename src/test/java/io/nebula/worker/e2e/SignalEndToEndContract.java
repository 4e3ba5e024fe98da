package io.nebula.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.app.NebulaWorker;
import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.inspect.ExecutionFacts;
import io.nebula.worker.inspect.Explainer;
import io.nebula.worker.inspect.Explanation;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.SignalDelivery;
import io.nebula.worker.testing.Terminal;
import io.nebula.worker.workflow.LoadedWorkflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code signal} action with real workers on a real store: a signal after the wait (the slot
 * is freed meanwhile) and before it, twice, to a finished execution, a timeout that fails the node
 * or takes a branch, and an execution parked on one worker and resumed on another.
 */
abstract class SignalEndToEndContract extends EndToEndContract {
    static final Path EXAMPLES = Path.of(System.getProperty("nebula.project.dir", "."), "examples");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String REQUEST = "{\"request\":{\"id\":\"R-7\",\"amount\":120}}";

    static void awaitEvent(WorkflowClient c, long id, String event) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> c.store().historyList(id).stream()
                        .anyMatch(h -> h.event().equals(event)));
    }

    static String output(WorkflowClient c, long id, String node) {
        return c.store().nodeResultList(id).stream()
                .filter(n -> n.nodeId().equals(node))
                .findFirst()
                .map(NodeResult::outputJson)
                .orElse(null);
    }

    @Test
    void aSignalAfterTheWaitResumesTheParkedExecutionWithItsDataOnce() throws Exception {
        NebulaWorker w = started("w1", 1);
        WorkflowClient c = w.client();
        LoadedWorkflow wf = c.load(EXAMPLES.resolve("approval.yaml"));
        long id = c.submit(wf, REQUEST, SubmitOptions.defaults()).executionId();
        awaitEvent(c, id, "awaiting_signal");

        ExecutionView parked = c.get(id).orElseThrow();
        assertThat(parked.state()).isEqualTo(ExecutionState.AVAILABLE);
        await().atMost(Duration.ofSeconds(10)).until(() -> w.worker().activeJobs() == 0);
        Explanation why = Explainer.explain(
                ExecutionFacts.read(c.store(), id, Duration.ofMinutes(1)).orElseThrow());
        assertThat(why.reason()).isEqualTo(Explanation.Reason.SIGNAL_WAIT);
        assertThat(why.summary()).startsWith("Waiting for signal 'approve' since ");
        assertThat(why.notes()).anyMatch(n -> n.startsWith("The wait for 'approve' times out at "));
        // The only slot is free: other work runs while the approval waits.
        long hello = c.submit(c.load(EXAMPLES.resolve("hello.json")), null, SubmitOptions.defaults())
                .executionId();
        assertThat(Terminal.await(c.store(), hello, Duration.ofSeconds(30)).state())
                .isEqualTo(ExecutionState.SUCCEEDED);

        SignalDelivery d = c.signal(id, "approve", "{\"approved\":true,\"by\":\"ada\"}");
        assertThat(d.outcome()).isEqualTo(SignalDelivery.Outcome.DELIVERED);
        assertThat(d.woke()).isTrue();

        ExecutionView done = Terminal.await(c.store(), id, Duration.ofSeconds(30));
        assertThat(done.state()).as(done.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(JSON.readTree(done.outputJson()))
                .isEqualTo(JSON.readTree("{\"request\":\"R-7\",\"decision\":\"request R-7 approved by ada\"}"));
        assertThat(JSON.readTree(output(c, id, "approve")))
                .isEqualTo(JSON.readTree("{\"approved\":true,\"by\":\"ada\"}"));
        assertThat(c.store().historyList(id))
                .extracting(HistoryEntry::event)
                .containsExactly("claimed", "awaiting_signal", "signal_received", "claimed", "succeeded");
        assertThat(done.attempt()).as("parking gave the attempt back").isEqualTo(1);
        assertThat(c.signal(id, "approve", "{\"approved\":false}").outcome())
                .isEqualTo(SignalDelivery.Outcome.FINISHED);
    }

    @Test
    void aSignalSentBeforeTheNodeWaitsIsUsedWithoutParkingAndASecondOneIsIgnored() throws Exception {
        NebulaWorker w = built("w1", 2);
        w.store().migrate();
        WorkflowClient c = w.client();
        long id = c.submit(c.load(EXAMPLES.resolve("approval.yaml")), REQUEST, SubmitOptions.defaults())
                .executionId();
        assertThat(c.signal(id, "approve", "{\"approved\":false}").outcome())
                .isEqualTo(SignalDelivery.Outcome.DELIVERED);
        assertThat(c.signal(id, "approve", "{\"approved\":true}").outcome())
                .isEqualTo(SignalDelivery.Outcome.DUPLICATE);

        w.start();
        ExecutionView done = Terminal.await(c.store(), id, Duration.ofSeconds(30));

        assertThat(done.state()).as(done.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(done.outputJson()).contains("request R-7 rejected\"");
        assertThat(c.store().historyList(id)).extracting(HistoryEntry::event).containsExactly("claimed", "succeeded");
    }

    @Test
    void aTimeoutFailsTheNodeUnlessTheWorkflowAsksToBranchOnIt() throws Exception {
        WorkflowClient c = started("w1", 2).client();
        Path strict = tmp.resolve("strict.yaml");
        Files.writeString(strict, """
                name: strict
                nodes:
                  - { id: wait, action: signal, params: { name: go, timeout_seconds: 0.5 } }
                  - { id: after, action: noop, depends_on: [wait] }
                """);
        String approval = Files.readString(EXAMPLES.resolve("approval.yaml"))
                .replace("timeout_seconds: 3600", "timeout_seconds: 0.5");
        Path lenient = tmp.resolve("lenient.yaml");
        Files.writeString(lenient, approval);

        long failing = c.submit(c.load(strict), null, SubmitOptions.defaults()).executionId();
        long branching =
                c.submit(c.load(lenient), REQUEST, SubmitOptions.defaults()).executionId();

        ExecutionView failed = Terminal.await(c.store(), failing, Duration.ofSeconds(30));
        assertThat(failed.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(failed.lastError()).contains("node 'wait'").contains("no signal 'go' arrived within 500ms");
        assertThat(failed.attempt()).as("a timeout is not retried").isEqualTo(1);

        ExecutionView rejected = Terminal.await(c.store(), branching, Duration.ofSeconds(30));
        assertThat(rejected.state()).as(rejected.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(JSON.readTree(output(c, branching, "approve")))
                .isEqualTo(JSON.readTree("{\"timed_out\":true,\"signal\":\"approve\"}"));
        assertThat(rejected.outputJson()).contains("rejected: no answer within an hour");
        assertThat(c.store().nodeResultList(branching))
                .filteredOn(n -> n.nodeId().equals("approved"))
                .extracting(NodeResult::status)
                .containsExactly(NodeStatus.SKIPPED);
        // Too late: the node has timed out; the signal is stored but changes nothing.
        assertThat(c.signal(branching, "approve", "{\"approved\":true}").outcome())
                .isEqualTo(SignalDelivery.Outcome.FINISHED);
    }

    @Test
    void anExecutionParkedOnOneWorkerIsResumedByAnotherAfterTheSignal() throws Exception {
        NebulaWorker a = started("a", 1);
        WorkflowClient c = a.client();
        long id = c.submit(c.load(EXAMPLES.resolve("approval.yaml")), REQUEST, SubmitOptions.defaults())
                .executionId();
        awaitEvent(c, id, "awaiting_signal");
        a.worker().stop(Duration.ZERO);
        NebulaWorker b = started("b", 1);

        assertThat(b.client()
                        .signal(id, "approve", "{\"approved\":true,\"by\":\"bob\"}")
                        .woke())
                .isTrue();

        ExecutionView done = Terminal.await(b.client().store(), id, Duration.ofSeconds(30));
        assertThat(done.state()).as(done.lastError()).isEqualTo(ExecutionState.SUCCEEDED);
        assertThat(done.outputJson()).contains("approved by bob");
        List<HistoryEntry> h = b.store().historyList(id);
        assertThat(h)
                .extracting(HistoryEntry::event)
                .containsExactly("claimed", "awaiting_signal", "signal_received", "claimed", "succeeded");
        assertThat(h.get(0).workerId()).isEqualTo("a");
        assertThat(h.get(3).workerId()).isEqualTo("b");
        NodeResult prepare = b.store().nodeResultList(id).stream()
                .filter(n -> n.nodeId().equals("prepare"))
                .findFirst()
                .orElseThrow();
        assertThat(prepare.attempt())
                .as("checkpointed by a, not run again by b")
                .isEqualTo(1);
        assertThat(h.get(1).leaseEpoch()).isEqualTo(prepare.attempt());
    }

    @Test
    void signalDataThatDoesNotFitBesideWhatTheExecutionHoldsFailsTheNodeWhenItIsRead() throws Exception {
        Path file = tmp.resolve("waits.yaml");
        Files.writeString(file, """
                name: waits
                nodes:
                  - id: go
                    action: signal
                    params: { name: go, timeout_seconds: 600 }
                output: "${{ nodes.go.output }}"
                """);
        WorkerConfig base = config();
        WorkerConfig.Limits l = base.limits();
        // 60 values per execution: the input below holds 42, the signal's data 31.
        WorkerConfig small = base.withLimits(new WorkerConfig.Limits(
                l.expressionBytes(),
                l.expressionTimeout(),
                l.regexProgramSize(),
                l.expressionsPerDefinition(),
                l.compileTimeout(),
                l.executionOutputBytes(),
                60,
                l.errorBytes(),
                l.definitionCacheBytes(),
                l.mapItems()));
        NebulaWorker w = start(built(small, "w1", o -> o.withConcurrency(2)));
        WorkflowClient c = w.client();
        String forty = java.util.stream.IntStream.range(0, 40)
                .mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(",", "[", "]"));
        long id = c.submit(c.load(file), "{\"pad\":" + forty + "}", SubmitOptions.defaults())
                .executionId();
        awaitEvent(c, id, "awaiting_signal");

        String thirty = java.util.stream.IntStream.range(0, 30)
                .mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(",", "[", "]"));
        // Within the limit on its own, so the delivery is accepted; too much beside the input.
        assertThat(c.signal(id, "go", thirty).outcome()).isEqualTo(SignalDelivery.Outcome.DELIVERED);

        ExecutionView done = Terminal.await(c.store(), id, Duration.ofSeconds(30));
        assertThat(done.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(done.lastError())
                .contains("node 'go'")
                .contains("the data of signal 'go' holds 31 JSON values, more than its execution can take")
                .contains("limits.execution_values");
    }

    @Test
    void aWorkflowTimeoutEndsAWaitForASignalThatHasNone() throws Exception {
        Path file = tmp.resolve("timed-approval.yaml");
        java.nio.file.Files.writeString(file, """
                name: timed-approval
                timeout_seconds: 2
                nodes:
                  - id: approve
                    action: signal
                    params: { name: approve }
                """);
        WorkflowClient c = started("w1", 2).client();
        long id = c.submit(c.load(file), "{}", SubmitOptions.defaults()).executionId();
        awaitEvent(c, id, "awaiting_signal");

        // Parked with no timeout of its own, it is due again just after the workflow's timeout.
        ExecutionView parked = c.get(id).orElseThrow();
        assertThat(parked.runAt()).isBefore(parked.now().plusSeconds(10));
        ExecutionView v = Terminal.await(c.store(), id, Duration.ofSeconds(30));

        assertThat(v.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(v.lastError())
                .isEqualTo("timed out: the execution ran longer than its workflow's timeout_seconds (2) since it"
                        + " first started");
        assertThat(v.attempt())
                .as("failed for good on the claim after the timeout")
                .isEqualTo(1);
        assertThat(c.store().historyList(id))
                .extracting(h -> h.event())
                .containsExactly("claimed", "awaiting_signal", "claimed", "failed");
        // A signal now finds it finished.
        assertThat(c.signal(id, "approve", "{}").woke()).isFalse();
    }

    @Test
    void aWorkflowTimeoutEndsALongDelayAndADelayWithinItRunsOut() throws Exception {
        Path file = tmp.resolve("timed-delay.yaml");
        java.nio.file.Files.writeString(file, """
                name: timed-delay
                timeout_seconds: 2
                nodes:
                  - id: wait
                    action: delay
                    params: { seconds: 3600 }
                  - id: after
                    action: noop
                    depends_on: [wait]
                """);
        WorkflowClient c = started("w1", 2).client();
        long id = c.submit(c.load(file), "{}", SubmitOptions.defaults()).executionId();

        ExecutionView v = Terminal.await(c.store(), id, Duration.ofSeconds(30));

        assertThat(v.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(v.lastError())
                .startsWith("timed out: the execution ran longer than its workflow's timeout_seconds (2)");
        assertThat(c.store().nodeResultList(id)).noneMatch(r -> r.nodeId().equals("after"));
        assertThat(Duration.between(v.startedAt(), v.finishedAt()))
                .as("ended by the timeout, not the hour's delay")
                .isBetween(Duration.ofSeconds(2), Duration.ofSeconds(20));
    }

    @Test
    void aSignalsOwnEarlierTimeoutIsKeptUnderALaterWorkflowTimeout() throws Exception {
        Path file = tmp.resolve("timed-own.yaml");
        java.nio.file.Files.writeString(file, """
                name: timed-own
                timeout_seconds: 600
                nodes:
                  - id: approve
                    action: signal
                    params: { name: approve, timeout_seconds: 30 }
                """);
        WorkflowClient c = started("w1", 2).client();
        long id = c.submit(c.load(file), "{}", SubmitOptions.defaults()).executionId();
        awaitEvent(c, id, "awaiting_signal");

        ExecutionView parked = c.get(id).orElseThrow();

        // Due at the signal's own timeout (30 s), not at the workflow's (601 s).
        assertThat(parked.runAt())
                .isBefore(parked.now().plusSeconds(60))
                .isAfter(parked.now().plusSeconds(20));
    }
}
