package io.nebula.worker.runtime;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** Actions that let runtime tests observe and steer what nodes do. */
final class TestActions {
    private TestActions() {}

    /** {@code record}: counts runs per node id and returns its {@code value} param. */
    static class Recording implements Action {
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

        @Override
        public String name() {
            return "record";
        }

        @Override
        public JsonNode execute(JsonNode params, ActionContext ctx) {
            runs.computeIfAbsent(ctx.nodeId(), k -> new AtomicInteger()).incrementAndGet();
            JsonNode v = params == null ? null : params.get("value");
            return v == null ? JsonNodeFactory.instance.stringNode(ctx.nodeId()) : v;
        }

        int count(String nodeId) {
            AtomicInteger n = runs.get(nodeId);
            return n == null ? 0 : n.get();
        }
    }

    /**
     * {@code rendezvous}: counts down a shared latch, then waits for every party; only nodes that
     * run at the same time can all get through.
     */
    static final class Rendezvous implements Action {
        final CountDownLatch latch;

        Rendezvous(int parties) {
            this.latch = new CountDownLatch(parties);
        }

        @Override
        public String name() {
            return "rendezvous";
        }

        @Override
        public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException, InterruptedException {
            latch.countDown();
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw ActionException.permanent("the other nodes never arrived");
            }
            return JsonNodeFactory.instance.booleanNode(true);
        }
    }

    /**
     * {@code fail_together}: waits until every party has started, then fails, retryably when
     * {@code retryable} is true; so the nodes that use it fail while the others still run.
     */
    static final class FailTogether implements Action {
        final CountDownLatch latch;

        FailTogether(int parties) {
            this.latch = new CountDownLatch(parties);
        }

        @Override
        public String name() {
            return "fail_together";
        }

        @Override
        public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException, InterruptedException {
            latch.countDown();
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw ActionException.permanent("the other nodes never arrived");
            }
            String message = params.path("message").asString("failed");
            throw params.path("retryable").asBoolean(false)
                    ? ActionException.retryable(message)
                    : ActionException.permanent(message);
        }
    }

    /** {@code block}: signals that it started, then blocks until interrupted; records the interrupt. */
    static final class Blocking implements Action {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
        volatile boolean sawCancelled;

        @Override
        public String name() {
            return "block";
        }

        @Override
        public JsonNode execute(JsonNode params, ActionContext ctx) throws InterruptedException {
            started.countDown();
            try {
                new CountDownLatch(1).await();
                throw new IllegalStateException("unreachable");
            } catch (InterruptedException e) {
                sawCancelled = ctx.isCancelled();
                interrupted.countDown();
                throw e;
            }
        }
    }

    /** {@code flaky}: fails retryably on the first {@code fails} tries of each node, then returns the try. */
    static final class Flaky implements Action {
        final Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();

        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException {
            int n = tries.computeIfAbsent(ctx.nodeId(), k -> new AtomicInteger())
                    .incrementAndGet();
            if (n <= params.get("fails").asInt()) {
                throw ActionException.retryable("HTTP 503 try " + n);
            }
            return JsonNodeFactory.instance.numberNode(n);
        }
    }
}
