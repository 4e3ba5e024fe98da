package io.nebula.worker.testing;

import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.queue.StopReason;
import io.nebula.worker.runtime.Attempt;
import io.nebula.worker.runtime.ExecutionRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A test runner whose behaviour each execution's input chooses, so pool tests need no workflow
 * runtime: {@code {"do":"succeed"}}, {@code {"do":"fail","retryable":true}}, {@code {"do":"block"}}
 * (runs until stopped), {@code {"do":"two-steps"}} (checkpoints node "a", blocks, then finishes
 * with node "b"), {@code {"do":"wait","ms":N}} (a durable wait, once). It counts what it did.
 */
public final class ScriptedRunner implements ExecutionRunner {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public final AtomicInteger running = new AtomicInteger();
    public final AtomicInteger maxRunning = new AtomicInteger();
    public final Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    public final Map<String, AtomicInteger> nodeRuns = new ConcurrentHashMap<>();
    public final CountDownLatch blocked = new CountDownLatch(1);
    public volatile CountDownLatch release = new CountDownLatch(1);

    @Override
    public RunOutcome run(Attempt a) {
        int now = running.incrementAndGet();
        maxRunning.accumulateAndGet(now, Math::max);
        runs.computeIfAbsent(a.executionId(), k -> new AtomicInteger()).incrementAndGet();
        try {
            JsonNode in = JSON.readTree(a.inputJson());
            String what = in.path("do").asString("succeed");
            return switch (what) {
                case "fail" ->
                    new RunOutcome.Failed(
                            "boom on attempt " + a.attempt(),
                            in.path("retryable").asBoolean(false),
                            List.of());
                case "block" -> block(a);
                case "two-steps" -> twoSteps(a);
                case "wait" ->
                    a.checkpoints().containsKey("wait")
                            ? new RunOutcome.Succeeded("\"waited\"", List.of())
                            : new RunOutcome.Waiting(
                                    Duration.ofMillis(in.path("ms").asLong(100)),
                                    "waiting for node wait",
                                    List.of(node("wait", a)));
                default -> new RunOutcome.Succeeded("{\"id\":" + a.executionId() + "}", List.of(node("only", a)));
            };
        } finally {
            running.decrementAndGet();
        }
    }

    private RunOutcome block(Attempt a) {
        blocked.countDown();
        try {
            release.await();
            return new RunOutcome.Succeeded("\"released\"", List.of());
        } catch (InterruptedException e) {
            StopReason r = a.stopRequested();
            return new RunOutcome.Stopped(r == null ? StopReason.SHUTDOWN : r, List.of());
        }
    }

    private RunOutcome twoSteps(Attempt a) {
        try {
            if (!a.checkpoints().containsKey("a")) {
                nodeRuns.computeIfAbsent(a.executionId() + "/a", k -> new AtomicInteger())
                        .incrementAndGet();
                if (!a.checkpoint(node("a", a))) {
                    return new RunOutcome.Stopped(StopReason.LEASE_LOST, List.of());
                }
            }
            blocked.countDown();
            release.await();
            nodeRuns.computeIfAbsent(a.executionId() + "/b", k -> new AtomicInteger())
                    .incrementAndGet();
            return new RunOutcome.Succeeded("\"both\"", List.of(node("b", a)));
        } catch (InterruptedException e) {
            StopReason r = a.stopRequested();
            return new RunOutcome.Stopped(r == null ? StopReason.SHUTDOWN : r, List.of());
        }
    }

    private static NodeResult node(String id, Attempt a) {
        return new NodeResult(id, NodeStatus.SUCCEEDED, "true", null, a.attempt(), Instant.now(), Instant.now());
    }
}
