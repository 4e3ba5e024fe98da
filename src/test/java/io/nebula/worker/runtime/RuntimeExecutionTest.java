package io.nebula.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.NodeTry;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.queue.StopReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RuntimeExecutionTest {

    @Test
    void independentNodesRunAtTheSameTime() throws Exception {
        var meet = new TestActions.Rendezvous(2);
        var kit = new RuntimeKit(meet);
        var a = kit.attempt("""
                {"name": "par", "nodes": [
                  {"id": "left", "action": "rendezvous"},
                  {"id": "right", "action": "rendezvous"},
                  {"id": "join", "action": "noop", "depends_on": ["left", "right"]}]}""", "{}");

        RunOutcome o = a.runWith(kit.runtime);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(meet.latch.getCount()).isZero();
    }

    @Test
    void aResultIsCheckpointedBeforeItsDependentsStartAndTheLastTravelsWithTheOutcome() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        var rec = new TestActions.Recording() {
            @Override
            public tools.jackson.databind.JsonNode execute(
                    tools.jackson.databind.JsonNode params, io.nebula.worker.action.ActionContext ctx) {
                events.add("run " + ctx.nodeId());
                return super.execute(params, ctx);
            }
        };
        var kit = new RuntimeKit(rec);
        var a = kit.attempt("""
                {"name": "chain", "nodes": [
                  {"id": "a", "action": "record"},
                  {"id": "b", "action": "record", "depends_on": ["a"]},
                  {"id": "c", "action": "record", "depends_on": ["b"]}]}""", "{}");
        a.onCheckpoint(r -> events.add("checkpoint " + r.nodeId()));

        RunOutcome o = a.runWith(kit.runtime);

        assertThat(events).containsExactly("run a", "checkpoint a", "run b", "checkpoint b", "run c");
        assertThat(o.unsaved()).extracting(NodeResult::nodeId).containsExactly("c");
        assertThat(o.unsaved().get(0).status()).isEqualTo(NodeStatus.SUCCEEDED);
    }

    @Test
    void aTakeoverAfterALostLeaseDoesNotRerunCompletedNodesAndGivesTheSameOutput() throws Exception {
        String def = """
                {"name": "chain", "nodes": [
                  {"id": "a", "action": "record", "params": {"value": 1}},
                  {"id": "b", "action": "record", "depends_on": ["a"], "params": {"value": "${{ nodes.a.output + 1 }}"}},
                  {"id": "c", "action": "record", "depends_on": ["b"], "params": {"value": "${{ nodes.b.output * 10 }}"}}],
                 "output": {"c": "${{ nodes.c.output }}"}}""";
        var undisturbed = new RuntimeKit(new TestActions.Recording());
        var expected = (RunOutcome.Succeeded) undisturbed.attempt(def, "{}").runWith(undisturbed.runtime);

        var rec = new TestActions.Recording();
        var kit = new RuntimeKit(rec);
        var first = kit.attempt(def, "{}");
        first.onCheckpoint(r -> {
            if (r.nodeId().equals("b")) {
                // The heartbeat failed: the pool marks the lease lost and interrupts the attempt.
                first.loseLease();
                first.requestStop(StopReason.LEASE_LOST);
            }
        });
        RunOutcome lost = first.runWith(kit.runtime);
        assertThat(lost).isInstanceOf(RunOutcome.Stopped.class);
        assertThat(((RunOutcome.Stopped) lost).reason()).isEqualTo(StopReason.LEASE_LOST);
        assertThat(lost.unsaved()).isEmpty();

        // The new owner sees only what was durably checkpointed.
        var takeover = new InMemoryAttempt(
                7,
                2,
                first.definitionJson(),
                "{}",
                first.written().stream().collect(java.util.stream.Collectors.toMap(NodeResult::nodeId, r -> r)));
        RunOutcome o = takeover.runWith(kit.runtime);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(((RunOutcome.Succeeded) o).outputJson())
                .isEqualTo(expected.outputJson())
                .isEqualTo("{\"c\":20}");
        assertThat(rec.count("a")).isEqualTo(1);
        assertThat(rec.count("b")).isEqualTo(1);
        assertThat(rec.count("c")).isEqualTo(1);
    }

    @Test
    void aFailedCheckpointIsRunAgainOnResume() throws Exception {
        var rec = new TestActions.Recording();
        var kit = new RuntimeKit(rec);
        String canonical = kit.load("""
                {"name": "one", "nodes": [{"id": "a", "action": "record"}]}""").canonicalJson();
        var failed = new NodeResult("a", NodeStatus.FAILED, null, "boom", 1, Instant.EPOCH, Instant.EPOCH);
        var a = new InMemoryAttempt(7, 2, canonical, "{}", java.util.Map.of("a", failed));

        assertThat(a.runWith(kit.runtime)).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(rec.count("a")).isEqualTo(1);
    }

    @Test
    void aNodeRetriesInsideTheAttemptThenSucceeds() throws Exception {
        var flaky = new TestActions.Flaky();
        var kit = new RuntimeKit(flaky);
        var a = kit.attempt("""
                {"name": "r", "nodes": [{"id": "charge", "action": "flaky", "params": {"fails": 2},
                  "retry": {"attempts": 3, "backoff_ms": 1}}],
                 "output": "${{ nodes.charge.output }}"}""", "{}");

        RunOutcome o = a.runWith(kit.runtime);

        assertThat(o).isEqualTo(new RunOutcome.Succeeded("3", o.unsaved()));
        // Each failed try is recorded with the result: which attempt, which try, when, and why.
        assertThat(o.unsaved()).singleElement().satisfies(r -> {
            assertThat(r.lastTry()).isEqualTo(3);
            assertThat(r.tries())
                    .extracting(NodeTry::attempt, NodeTry::tryNumber, NodeTry::error)
                    .containsExactly(tuple(1, 1, "HTTP 503 try 1"), tuple(1, 2, "HTTP 503 try 2"));
            assertThat(r.tries()).allSatisfy(t -> assertThat(t.finishedAt()).isAfterOrEqualTo(t.startedAt()));
            assertThat(r.tries().get(1).startedAt())
                    .isAfterOrEqualTo(r.tries().get(0).finishedAt());
        });
    }

    @Test
    void retryableFailureAfterNodeRetriesFailsTheExecutionRetryably() throws Exception {
        var kit = new RuntimeKit(new TestActions.Flaky());
        var a = kit.attempt("""
                {"name": "r", "nodes": [{"id": "charge", "action": "flaky", "params": {"fails": 9},
                  "retry": {"attempts": 3, "backoff_ms": 1}}]}""", "{}");

        var o = (RunOutcome.Failed) a.runWith(kit.runtime);

        assertThat(o.retryable()).isTrue();
        assertThat(o.error()).isEqualTo("node 'charge' (flaky) failed after 3 attempts: HTTP 503 try 3");
        assertThat(o.unsaved()).singleElement().satisfies(r -> {
            assertThat(r.nodeId()).isEqualTo("charge");
            assertThat(r.status()).isEqualTo(NodeStatus.FAILED);
            assertThat(r.error()).isEqualTo(o.error());
            assertThat(r.tries()).extracting(NodeTry::tryNumber).containsExactly(1, 2, 3);
            assertThat(r.lastTry()).isEqualTo(3);
        });
    }

    @Test
    void nodesThatFailSideBySideEachKeepTheirFailureAndAPermanentOneDecides() throws Exception {
        var kit = new RuntimeKit(new TestActions.FailTogether(3));
        var a = kit.attempt("""
                {"name": "side", "nodes": [
                  {"id": "a", "action": "fail_together", "params": {"message": "a down", "retryable": true}},
                  {"id": "b", "action": "fail_together", "params": {"message": "b refused"}},
                  {"id": "c", "action": "fail_together", "params": {"message": "c down", "retryable": true}}]}""", "{}");

        var o = (RunOutcome.Failed) a.runWith(kit.runtime);

        assertThat(o.retryable()).as("a permanent failure among them").isFalse();
        assertThat(o.error()).contains("b refused");
        // Each failure is either checkpointed while the others ran or carried by the outcome.
        List<NodeResult> recorded = new java.util.ArrayList<>(a.written());
        recorded.addAll(o.unsaved());
        assertThat(recorded)
                .extracting(NodeResult::nodeId, NodeResult::status)
                .containsExactlyInAnyOrder(
                        tuple("a", NodeStatus.FAILED), tuple("b", NodeStatus.FAILED), tuple("c", NodeStatus.FAILED));
        assertThat(recorded).allSatisfy(r -> assertThat(r.tries()).hasSize(1));
    }

    @Test
    void aPermanentFailureIsNotRetriedAndIsNotRetryable() throws Exception {
        var kit = new RuntimeKit();
        var a = kit.attempt("""
                {"name": "p", "nodes": [{"id": "pay", "action": "fail", "params": {"message": "card declined"},
                  "retry": {"attempts": 5, "backoff_ms": 1}}]}""", "{}");

        var o = (RunOutcome.Failed) a.runWith(kit.runtime);

        assertThat(o.retryable()).isFalse();
        assertThat(o.error()).isEqualTo("node 'pay' (fail) failed after 1 attempt: card declined");
        assertThat(o.unsaved()).extracting(NodeResult::status).containsExactly(NodeStatus.FAILED);
        assertThat(o.unsaved().get(0).tries()).extracting(NodeTry::error).containsExactly("card declined");
    }

    @Test
    void aTimeoutInterruptsTheActionAndCountsAsRetryable() throws Exception {
        var block = new TestActions.Blocking();
        var kit = new RuntimeKit(block);
        var a = kit.attempt("""
                {"name": "t", "nodes": [{"id": "slow", "action": "block", "timeout_seconds": 0.2}]}""", "{}");

        var o = (RunOutcome.Failed) a.runWith(kit.runtime);

        assertThat(o.retryable()).isTrue();
        assertThat(o.error()).isEqualTo("node 'slow' (block) failed after 1 attempt: timed out after 200ms");
        assertThat(block.interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(block.sawCancelled).isTrue();
    }

    @Test
    void aStopReachesABlockedActionAndKeepsFinishedResults() throws Exception {
        var block = new TestActions.Blocking();
        var kit = new RuntimeKit(block);
        var a = kit.attempt("""
                {"name": "s", "nodes": [
                  {"id": "first", "action": "noop"},
                  {"id": "wait", "action": "block", "depends_on": ["first"]}]}""", "{}");

        CompletableFuture<RunOutcome> run = CompletableFuture.supplyAsync(() -> a.runWith(kit.runtime));
        assertThat(block.started.await(10, TimeUnit.SECONDS)).isTrue();
        a.requestStop(StopReason.CANCELLED);
        RunOutcome o = run.get(30, TimeUnit.SECONDS);

        assertThat(o).isEqualTo(new RunOutcome.Stopped(StopReason.CANCELLED, List.of()));
        assertThat(block.interrupted.getCount()).isZero();
        assertThat(block.sawCancelled).isTrue();
        assertThat(a.written()).extracting(NodeResult::nodeId).containsExactly("first");
    }

    @Test
    void aWorkflowTimeoutStopsTheRunningNodesAndFailsTheExecutionForGood() throws Exception {
        var block = new TestActions.Blocking();
        var kit = new RuntimeKit(block);
        var a = kit.attempt("""
                {"name": "t", "timeout_seconds": 1.5, "nodes": [
                  {"id": "first", "action": "noop"},
                  {"id": "slow", "action": "block", "depends_on": ["first"]},
                  {"id": "never", "action": "noop", "depends_on": ["slow"]}]}""", "{}");
        a.startedAgo(Duration.ofMillis(500));

        var o = (RunOutcome.Failed) a.runWith(kit.runtime);

        assertThat(o.retryable()).isFalse();
        assertThat(o.error())
                .isEqualTo("timed out: the execution ran longer than its workflow's timeout_seconds (1.5) since it"
                        + " first started");
        assertThat(block.interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(a.writtenAnd(o))
                .extracting(NodeResult::nodeId, NodeResult::status)
                .containsExactly(tuple("first", NodeStatus.SUCCEEDED), tuple("slow", NodeStatus.FAILED));
        assertThat(o.unsaved())
                .last()
                .satisfies(r -> assertThat(r.error()).startsWith("node 'slow' was stopped: timed out:"));
    }

    @Test
    void anAttemptThatStartsAfterTheWorkflowTimeoutRunsNothing() throws Exception {
        var rec = new TestActions.Recording();
        var kit = new RuntimeKit(rec);
        var a = kit.attempt("""
                {"name": "t", "timeout_seconds": 60, "nodes": [{"id": "only", "action": "record"}]}""", "{}");
        a.startedAgo(Duration.ofSeconds(61));

        var o = (RunOutcome.Failed) a.runWith(kit.runtime);

        assertThat(o.retryable()).isFalse();
        assertThat(o.error())
                .startsWith("timed out: the execution ran longer than its workflow's timeout_seconds (60)");
        assertThat(rec.runs).isEmpty();
        assertThat(o.unsaved()).isEmpty();
    }

    @Test
    void durableWaitsEndJustAfterTheWorkflowTimeout() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
        var kit = new RuntimeKit(RuntimeOptions.defaults().withClock(clock), HttpActionOptions.defaults(), clock);
        var delay = kit.attempt("""
                {"name": "d", "timeout_seconds": 600, "nodes": [
                  {"id": "wait", "action": "delay", "params": {"seconds": 3600}}]}""", "{}");
        delay.startedAgo(Duration.ofSeconds(100));
        var signal = kit.attempt("""
                {"name": "s", "timeout_seconds": 600, "nodes": [
                  {"id": "approve", "action": "signal", "params": {"name": "go"}}]}""", "{}");
        signal.startedAgo(Duration.ofSeconds(30));
        var untimed = kit.attempt("""
                {"name": "s", "nodes": [{"id": "approve", "action": "signal", "params": {"name": "go"}}]}""", "{}");

        var waiting = (RunOutcome.Waiting) delay.runWith(kit.runtime);
        var parked = (RunOutcome.AwaitingSignal) signal.runWith(kit.runtime);
        var forever = (RunOutcome.AwaitingSignal) untimed.runWith(kit.runtime);

        // 500 s left (less what the attempt took), and a second more so the next claim finds the
        // time up by the store's clock too.
        assertThat(waiting.delay()).isBetween(Duration.ofSeconds(491), Duration.ofSeconds(501));
        assertThat(waiting.reason()).contains("node 'wait'");
        assertThat(parked.dueAtMost()).isBetween(Duration.ofSeconds(561), Duration.ofSeconds(571));
        assertThat(parked.waits())
                .singleElement()
                .satisfies(w -> assertThat(w.timeout()).isNull());
        assertThat(forever.dueAtMost()).isNull();
    }

    @Test
    void aLongDelayReleasesTheExecutionAndCountsAsDoneOnResume() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
        var rec = new TestActions.Recording();
        var kit = new RuntimeKit(RuntimeOptions.defaults().withClock(clock), HttpActionOptions.defaults(), clock, rec);
        var a = kit.attempt("""
                {"name": "d", "nodes": [
                  {"id": "before", "action": "record"},
                  {"id": "wait", "action": "delay", "depends_on": ["before"], "params": {"seconds": 120}},
                  {"id": "after", "action": "record", "depends_on": ["wait"]}],
                 "output": "${{ nodes.wait.output.until }}"}""", "{}");

        var waiting = (RunOutcome.Waiting) a.runWith(kit.runtime);

        assertThat(waiting.delay()).isEqualTo(Duration.ofSeconds(120));
        assertThat(waiting.reason()).contains("node 'wait'");
        assertThat(waiting.kind()).isEqualTo("delay");
        assertThat(waiting.unsaved()).singleElement().satisfies(r -> {
            assertThat(r.nodeId()).isEqualTo("wait");
            assertThat(r.status()).isEqualTo(NodeStatus.SUCCEEDED);
            assertThat(r.outputJson()).isEqualTo("{\"until\":\"2030-01-01T00:02:00Z\"}");
        });
        assertThat(rec.count("after")).isZero();

        RunOutcome resumed = a.next(waiting).runWith(kit.runtime);

        assertThat(resumed).isEqualTo(new RunOutcome.Succeeded("\"2030-01-01T00:02:00Z\"", resumed.unsaved()));
        assertThat(rec.count("before")).isEqualTo(1);
        assertThat(rec.count("after")).isEqualTo(1);
    }

    @Test
    void aLostLeaseStopsWithNothingMoreToWrite() throws Exception {
        var kit = new RuntimeKit();
        var a = kit.attempt("""
                {"name": "l", "nodes": [{"id": "a", "action": "noop"}, {"id": "b", "action": "noop", "depends_on": ["a"]}]}""", "{}");
        a.loseLease();

        assertThat(a.runWith(kit.runtime)).isEqualTo(new RunOutcome.Stopped(StopReason.LEASE_LOST, List.of()));
    }
}
