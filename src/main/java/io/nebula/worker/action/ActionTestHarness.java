package io.nebula.worker.action;

import io.nebula.worker.json.Json;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs one action without a database or a workflow, the way the runtime would call it: with a
 * context, the MDC fields and a cancellation flag. Meant for tests of built-in and plugin actions.
 *
 * <pre>{@code
 * var harness = ActionTestHarness.of(new MyAction()).attempt(2);
 * JsonNode out = harness.run("{\"name\": \"ada\"}");
 * ActionException e = harness.failure("{}");
 * }</pre>
 *
 * <p>A harness is mutable configuration; use one per test. {@link #cancel()} may be called from
 * another thread while {@link #run} blocks (interrupt the running thread as well to wake it, as the
 * runtime does).
 */
public final class ActionTestHarness {
    private static final JsonMapper JSON = Json.MAPPER;

    private final Action action;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private long executionId = 1;
    private String nodeId = "node";
    private int attempt = 1;
    private int nodeAttempt = 1;
    private Duration timeout = Duration.ofMinutes(5);
    private Clock clock = Clock.systemUTC();
    private ValueBudget values = ValueBudget.UNLIMITED;

    private ActionTestHarness(Action action) {
        this.action = Objects.requireNonNull(action, "action");
    }

    public static ActionTestHarness of(Action action) {
        return new ActionTestHarness(action);
    }

    public ActionTestHarness executionId(long id) {
        this.executionId = id;
        return this;
    }

    public ActionTestHarness nodeId(String id) {
        this.nodeId = id;
        return this;
    }

    /** The execution attempt the action sees in {@link ActionContext#attempt()}. */
    public ActionTestHarness attempt(int n) {
        this.attempt = n;
        return this;
    }

    public ActionTestHarness nodeAttempt(int n) {
        this.nodeAttempt = n;
        return this;
    }

    /** Sets the context's deadline; the harness does not interrupt at it. */
    public ActionTestHarness timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    public ActionTestHarness clock(Clock c) {
        this.clock = c;
        return this;
    }

    /** What the context lets the action claim of its execution's JSON values (default: no bound). */
    public ActionTestHarness values(ValueBudget budget) {
        this.values = budget;
        return this;
    }

    /** Flips the context's cancellation flag. */
    public void cancel() {
        cancelled.set(true);
    }

    /** The context the next {@link #run} will pass. */
    public ActionContext context() {
        Instant now = clock.instant();
        return ActionContext.builder(executionId, nodeId)
                .attempt(attempt)
                .nodeAttempt(nodeAttempt)
                .startedAt(now)
                .deadline(now.plus(timeout))
                .cancellation(cancelled::get)
                .logger(LoggerFactory.getLogger("io.nebula.worker.action." + action.name()))
                .values(values)
                .build();
    }

    /** Checks the parameters as a workflow load would. */
    public java.util.List<String> validate(String paramsJson) {
        return action.validate(JSON.readTree(paramsJson));
    }

    public JsonNode run(String paramsJson) throws ActionException, InterruptedException {
        return run(JSON.readTree(paramsJson));
    }

    public JsonNode run(JsonNode params) throws ActionException, InterruptedException {
        MDC.put("execution_id", Long.toString(executionId));
        MDC.put("node_id", nodeId);
        try {
            JsonNode out = action.execute(params, context());
            if (out == null) {
                throw new IllegalStateException("action " + action.name() + " returned null");
            }
            return out;
        } finally {
            MDC.remove("execution_id");
            MDC.remove("node_id");
        }
    }

    /**
     * Runs and returns the failure.
     *
     * @throws AssertionError when the action succeeds
     */
    public ActionException failure(String paramsJson) throws InterruptedException {
        try {
            JsonNode out = run(paramsJson);
            throw new AssertionError("expected " + action.name() + " to fail, but it returned " + out);
        } catch (ActionException e) {
            return e;
        }
    }
}
