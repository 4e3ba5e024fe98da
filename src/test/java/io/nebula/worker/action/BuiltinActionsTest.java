package io.nebula.worker.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.action.builtin.DelayAction;
import io.nebula.worker.action.builtin.FailAction;
import io.nebula.worker.action.builtin.LogAction;
import io.nebula.worker.action.builtin.NoopAction;
import io.nebula.worker.action.builtin.TransformAction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The built-in actions, each run alone through the {@link ActionTestHarness}. */
class BuiltinActionsTest {

    @Test
    void noopReturnsNull() throws Exception {
        assertThat(ActionTestHarness.of(new NoopAction()).run("{}").isNull()).isTrue();
    }

    @Test
    void logReturnsItsMessage() throws Exception {
        assertThat(ActionTestHarness.of(new LogAction())
                        .run("{\"message\": \"hi\", \"level\": \"warn\"}")
                        .toString())
                .isEqualTo("{\"message\":\"hi\"}");
        assertThat(ActionTestHarness.of(new LogAction()).validate("{\"level\": \"loud\"}"))
                .containsExactly("message: is required", "level: must be one of debug, info, warn, error, got 'loud'");
    }

    @Test
    void transformReturnsItsValue() throws Exception {
        assertThat(ActionTestHarness.of(new TransformAction())
                        .run("{\"value\": [1, {\"a\": null}]}")
                        .toString())
                .isEqualTo("[1,{\"a\":null}]");
    }

    @Test
    void failFailsOnlyTheFirstAttemptsWhenTimesIsGiven() throws Exception {
        var harness = ActionTestHarness.of(new FailAction());
        String params = "{\"message\": \"not yet\", \"retryable\": true, \"times\": 2}";

        ActionException first = harness.attempt(1).failure(params);
        ActionException second = harness.attempt(2).failure(params);
        var third = harness.attempt(3).run(params);

        assertThat(first.isRetryable()).isTrue();
        assertThat(first.getMessage()).isEqualTo("not yet");
        assertThat(second.isRetryable()).isTrue();
        assertThat(third.toString()).isEqualTo("{\"failed_times\":2,\"succeeded_on\":3}");
        assertThat(harness.attempt(1).failure("{}").kind()).isEqualTo(ActionException.Kind.PERMANENT);
    }

    @Test
    void aLongDelaySuspendsUntilStartPlusTheDelay() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
        var harness = ActionTestHarness.of(new DelayAction(Duration.ofSeconds(5), clock))
                .clock(clock);

        ActionException e = harness.failure("{\"seconds\": 90}");

        assertThat(e.kind()).isEqualTo(ActionException.Kind.SUSPEND);
        assertThat(e.resumeAt()).isEqualTo(Instant.parse("2030-01-01T00:01:30Z"));
    }

    @Test
    void aShortDelaySleepsInPlaceAndAnInterruptEndsIt() throws Exception {
        var harness = ActionTestHarness.of(new DelayAction(Duration.ofHours(1)));
        CountDownLatch entered = new CountDownLatch(1);
        var sleeper = new CompletableFuture<Throwable>();
        Thread t = Thread.ofVirtual().start(() -> {
            entered.countDown();
            try {
                harness.run("{\"ms\": 600000}");
                sleeper.complete(null);
            } catch (Throwable ex) {
                sleeper.complete(ex);
            }
        });
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        t.interrupt();

        assertThat(sleeper.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(harness.run("{\"ms\": 0}").get("until").asString()).isNotEmpty();
    }

    @Test
    void theHarnessContextCarriesTheIdempotencyKeyAndCancellation() {
        var harness = ActionTestHarness.of(new NoopAction())
                .executionId(12)
                .nodeId("ship")
                .attempt(3);
        ActionContext ctx = harness.context();

        assertThat(ctx.idempotencyKey()).isEqualTo("12:ship");
        assertThat(ctx.attempt()).isEqualTo(3);
        assertThat(ctx.isCancelled()).isFalse();
        harness.cancel();
        assertThat(ctx.isCancelled()).isTrue();
    }

    @Test
    void aContextWithAnInstallationIdPutsItFirstInTheKey() {
        java.time.Instant now = java.time.Instant.EPOCH;
        ActionContext scoped = ActionContext.builder(12, "ship")
                .startedAt(now)
                .deadline(now)
                .keyScope("3f0c9a52-6f1e-4b8e-9d0a-1c2b3d4e5f60")
                .build();
        ActionContext legacy =
                ActionContext.builder(12, "ship").startedAt(now).deadline(now).build();

        assertThat(scoped.idempotencyKey()).isEqualTo("3f0c9a52-6f1e-4b8e-9d0a-1c2b3d4e5f60:12:ship");
        assertThat(legacy.idempotencyKey()).isEqualTo("12:ship");
    }

    @Test
    void aMapItemsKeyEndsWithItsIndexAfterTheInstallationIdAndTheNode() {
        java.time.Instant now = java.time.Instant.EPOCH;
        ActionContext scoped = ActionContext.builder(12, "ship")
                .startedAt(now)
                .deadline(now)
                .keyScope("3f0c9a52-6f1e-4b8e-9d0a-1c2b3d4e5f60")
                .itemIndex(4)
                .build();
        ActionContext legacy = ActionContext.builder(12, "ship")
                .startedAt(now)
                .deadline(now)
                .itemIndex(4)
                .build();

        assertThat(scoped.idempotencyKey()).isEqualTo("3f0c9a52-6f1e-4b8e-9d0a-1c2b3d4e5f60:12:ship:4");
        assertThat(scoped.isMapItem()).isTrue();
        assertThat(legacy.idempotencyKey()).isEqualTo("12:ship:4");
    }
}
