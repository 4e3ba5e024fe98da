package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.schedule.ScheduleSpec;
import io.nebula.worker.schedule.Schedules;
import io.nebula.worker.testing.WorkerLog;
import io.nebula.worker.testing.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A schedule firing every second while three worker processes run it and one of them is killed
 * ({@code kill -9}) halfway: every fire time from the first to the last gets exactly one
 * execution, whichever worker fired it. One subclass per store.
 */
abstract class ScheduleProcessContract {
    /** A fresh run on this test's store. */
    protected abstract FaultRun run(String scenario);

    /** How long the schedule fires. */
    protected abstract Duration firing();

    /** When this worker last logged a fire ({@code ""} when never): log times sort as text. */
    private static String lastFire(WorkerProcess w) {
        return WorkerLog.read(w.logFile()).select(e -> e.msg().startsWith("schedule fired")).stream()
                .map(e -> e.text("ts"))
                .max(String::compareTo)
                .orElse("");
    }

    @Test
    void threeWorkersFireEverySecondExactlyOnceWhileOneIsKilled() throws Exception {
        try (FaultRun run = run("schedule-every-second")) {
            List<WorkerProcess> workers = run.fleet().start(run.names(3));
            ExecutionStore store = run.store().store();
            WorkflowClient client = run.store().client(0);
            Path workflow = Files.createTempFile("tick", ".yaml");
            // Retries, so that a tick the victim held when it was killed runs again on another
            // worker once its lease is rescued, instead of failing its only attempt.
            Files.writeString(workflow, "name: tick\nmax_retries: 2\nnodes:\n  - { id: tick, action: noop }\n");
            Schedules schedules = new Schedules(store, client.workflows(), "default", 0, 1 << 20);
            assertThat(schedules.create(new ScheduleSpec(
                            "every-second",
                            workflow,
                            "* * * * * *",
                            "UTC",
                            null,
                            null,
                            Schedule.Overlap.ALLOW,
                            Schedule.CatchUp.LATEST,
                            null,
                            null,
                            "")))
                    .isPresent();
            Instant start = store.scheduleGet("every-second").orElseThrow().nextFireAt();
            Instant killAt = start.plus(firing().dividedBy(2));
            Instant end = start.plus(firing());

            await().atMost(firing().plusSeconds(30))
                    .until(() -> !run.store().databaseNow().isBefore(killAt));
            // Kill the worker that fired last, so the others must take over.
            WorkerProcess victim = workers.stream()
                    .max(java.util.Comparator.comparing(ScheduleProcessContract::lastFire))
                    .orElseThrow();
            run.store().recordFault("kill", victim.name(), "kill -9 while the schedule fires every second");
            victim.kill();
            await().atMost(firing().plusSeconds(30))
                    .until(() -> !run.store().databaseNow().isBefore(end));
            assertThat(schedules.pause("every-second")).isTrue();
            Instant pausedAt = run.store().databaseNow();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> store.executionList(ExecutionFilter.all(10_000)).stream()
                            .allMatch(v -> v.state().isTerminal()));

            List<ExecutionView> all = store.executionList(ExecutionFilter.all(10_000));
            TreeMap<Instant, Long> byFireTime = all.stream()
                    .filter(v ->
                            v.idempotencyKey() != null && v.idempotencyKey().startsWith("schedule:every-second:"))
                    .collect(Collectors.groupingBy(
                            v -> Instant.parse(v.idempotencyKey().substring("schedule:every-second:".length())),
                            TreeMap::new,
                            Collectors.counting()));
            List<Instant> expected = new ArrayList<>();
            for (Instant t = start; !t.isAfter(byFireTime.lastKey()); t = t.plusSeconds(1)) {
                expected.add(t);
            }
            assertThat(byFireTime.firstKey()).isEqualTo(start);
            assertThat(byFireTime.lastKey())
                    .isAfterOrEqualTo(end.minusSeconds(1))
                    .isBefore(pausedAt.plusSeconds(1));
            assertThat(byFireTime.keySet()).as("no fire time missed").containsExactlyElementsOf(expected);
            assertThat(byFireTime.values()).as("one execution per fire time").containsOnly(1L);
            assertThat(all).hasSize(byFireTime.size()).allMatch(v -> v.state() == ExecutionState.SUCCEEDED);

            run.fleet().stopAll();
            Set<String> firedBy = workers.stream()
                    .filter(w -> !WorkerLog.read(w.logFile())
                            .select(e -> e.msg().startsWith("schedule fired"))
                            .isEmpty())
                    .map(WorkerProcess::name)
                    .collect(Collectors.toSet());
            run.note("schedule every second on " + run.store().dialect() + ": " + byFireTime.size()
                    + " fire times, one execution each, fired by " + firedBy + "; " + victim.name() + " killed at "
                    + killAt);
            assertThat(firedBy)
                    .as("the victim fired, then others did")
                    .contains(victim.name())
                    .hasSizeGreaterThan(1);
        }
    }
}
