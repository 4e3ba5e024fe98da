package io.nebula.worker.faults;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import tools.jackson.databind.JsonNode;

/**
 * {@code faults.halt}, a test-only poison action: it waits {@code after_ms} (default 200) and then
 * halts its JVM on the spot, as a native crash or an out-of-memory kill would. The worker gets no
 * chance to release or heartbeat; the execution comes back only through lease expiry and rescue,
 * and after {@code queue.quarantine_after} such deaths it is failed as poison.
 */
public final class HaltAction implements Action {
    /** The exit status of a halted worker, so a test can tell it from other deaths. */
    public static final int EXIT_STATUS = 86;

    @Override
    public String name() {
        return "faults.halt";
    }

    @Override
    public JsonNode execute(JsonNode params, ActionContext ctx) throws InterruptedException {
        long after = params != null && params.has("after_ms")
                ? params.get("after_ms").asLong()
                : 200;
        Thread.sleep(after);
        ctx.logger().warn("halting the JVM on purpose execution_id={}", ctx.executionId());
        Runtime.getRuntime().halt(EXIT_STATUS);
        throw new IllegalStateException("unreachable");
    }
}
