package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nebula.worker.faults.History.Event;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.testing.WorkerProcess;
import io.nebula.worker.testing.WorkerSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The pool's behaviour with real worker processes: scale-out, {@code kill -9}, SIGTERM, SIGSTOP,
 * quarantine of a JVM killer, and retries, each judged by the {@link HistoryChecker} as well as by
 * its own assertions. One subclass per store: PostgreSQL with three processes, SQLite with two
 * processes on one file.
 */
abstract class ProcessPoolContract {
    /** A fresh run on this test's store. */
    protected abstract FaultRun run(String scenario, WorkerSettings settings);

    /** How many worker processes share the store in the scale-out test. */
    protected abstract int processes();

    /**
     * Whether a frozen process can stall the others (SQLite: it may be frozen inside a write
     * transaction, holding the file's write lock, so nobody can rescue its leases until it runs
     * again, and its first heartbeat may then win the race and keep them).
     */
    protected boolean frozenProcessMayHoldTheStore() {
        return false;
    }

    static WorkerSettings settings() {
        return FaultBounds.settings()
                .with("worker.shutdown_timeout_seconds", 1)
                .with("queue.quarantine_after", 2)
                .with("queue.retry_backoff_ms", 300)
                .with("queue.retry_backoff_max_ms", 5000);
    }

    static CheckReport checked(FaultRun run) {
        run.fleet().stopAll();
        CheckReport report = run.check(FaultBounds.MARGIN);
        assertThat(report.allValid()).as(report.render()).isTrue();
        return report;
    }

    static List<HistoryEntry> history(FaultRun run, long id) {
        return run.store().store().historyList(id);
    }

    static ExecutionView view(FaultRun run, long id) {
        return run.store().store().executionGet(id).orElseThrow();
    }

    /** Executions {@code w} holds right now. */
    static List<Long> heldBy(FaultRun run, WorkerProcess w) {
        return run.store().store().executionList(new ExecutionFilter(ExecutionState.RUNNING, null, null, 1000)).stream()
                .filter(v -> w.instanceId().equals(v.leaseOwner()))
                .map(ExecutionView::id)
                .toList();
    }

    static List<String> longInputs(int n, int napMs) {
        return Collections.nCopies(n, "{\"nap_ms\": " + napMs + "}");
    }

    @Test
    void workerProcessesDrainFiveThousandExecutionsEachSucceedingExactlyOnce() {
        try (FaultRun run = run("scale-out", settings())) {
            List<WorkerProcess> workers = run.fleet().start(run.names(processes()));
            List<Long> ids = run.workload().submit(FaultWorkflows.QUICK, Collections.nCopies(5000, "{}"));
            run.workload().awaitDrained(Duration.ofMinutes(4));
            CheckReport report = checked(run);

            History h = run.history();
            assertThat(h.executions().values())
                    .hasSize(5000)
                    .allMatch(e -> e.state().equals("succeeded"));
            for (long id : ids) {
                List<Event> ev = h.events().get(id);
                assertThat(ev.stream().filter(e -> e.event().equals("succeeded")))
                        .hasSize(1);
                assertThat(ev.stream().filter(e -> e.toState().equals("succeeded")))
                        .hasSize(1);
            }
            Map<String, Long> byWorker = h.events().values().stream()
                    .flatMap(List::stream)
                    .filter(e -> e.event().equals("succeeded"))
                    .collect(Collectors.groupingBy(Event::workerId, Collectors.counting()));
            assertThat(byWorker.keySet())
                    .as("every process did work: %s", byWorker)
                    .containsExactlyInAnyOrderElementsOf(
                            workers.stream().map(WorkerProcess::instanceId).toList());
            assertThat(h.effects()).hasSize(5000);
            assertThat(report.verdict(4).count("duplicate_effects")).isZero();
            run.note("scale-out: " + processes() + " processes drained 5000 executions, successes by process "
                    + byWorker.values());
        }
    }

    @Test
    void anotherWorkerCompletesWhatAKilledWorkerHeld() {
        try (FaultRun run = run("kill-9-held", settings())) {
            List<WorkerProcess> workers = run.fleet().start(run.names(2));
            WorkerProcess victim = workers.get(0);
            run.workload().submit(FaultWorkflows.LONG, longInputs(24, 2500));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> !heldBy(run, victim).isEmpty());
            Set<Long> held = new HashSet<>(heldBy(run, victim));
            run.nemesis().kill(victim);
            run.workload().awaitDrained(Duration.ofMinutes(2));
            checked(run);

            Set<Long> orphans = stale(run.history(), victim).keySet();
            assertThat(orphans).as("executions rescued from the killed worker").isNotEmpty();
            assertThat(held).containsAll(orphans);
            for (long id : orphans) {
                List<HistoryEntry> h = history(run, id);
                HistoryEntry done = h.get(h.size() - 1);
                assertThat(done.event()).isEqualTo("succeeded");
                assertThat(done.workerId()).isEqualTo(workers.get(1).instanceId());
                // The output an undisturbed run gives: the last node's idempotency key.
                String installation = run.store().store().installation().id();
                assertThat(view(run, id).outputJson())
                        .isEqualToIgnoringWhitespace("{\"after\":\"" + installation + ":" + id + ":after\"}");
            }
            Duration bound = FaultBounds.takeover(run.fleet().settings());
            List<Duration> takeovers = FaultBounds.takeovers(run.history(), Nemesis.Kind.KILL.label);
            assertThat(takeovers).hasSize(orphans.size()).allMatch(d -> d.compareTo(bound) <= 0);
        }
    }

    /** The epochs of {@code w} that were rescued, by execution id. */
    static Map<Long, Long> stale(History h, WorkerProcess w) {
        return h.events().values().stream()
                .flatMap(List::stream)
                .filter(e -> e.event().equals("rescued") && FaultBounds.heldBy(e, w.instanceId()))
                .collect(Collectors.toMap(Event::executionId, Event::leaseEpoch));
    }

    @Test
    void sigtermReleasesRunningExecutionsToAnotherWorkerWithoutSpendingAnAttempt() {
        try (FaultRun run = run("sigterm-long", settings())) {
            List<WorkerProcess> workers = run.fleet().start(run.names(2));
            WorkerProcess victim = workers.get(0);
            List<Long> ids = run.workload().submit(FaultWorkflows.LONG, longInputs(16, 4000));
            // Wait until the victim holds executions whose first node is done (checkpointed).
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> heldBy(run, victim).stream()
                            .anyMatch(id ->
                                    !run.store().store().nodeResultList(id).isEmpty()));
            Set<Long> held = new HashSet<>(heldBy(run, victim));
            Instant signalled;
            List<Integer> ready;
            try (HealthWatch watch = new HealthWatch(() -> List.of(victim), Duration.ofMillis(25))) {
                signalled = run.nemesis().terminate(victim);
                assertThat(victim.awaitExit(Duration.ofSeconds(1).plus(FaultBounds.MARGIN)))
                        .isZero();
                ready = watch.probes().stream()
                        .map(HealthWatch.Probe::ready)
                        .filter(r -> r != -1)
                        .toList();
            }
            assertThat(ready).contains(503);
            assertThat(ready.subList(ready.indexOf(503), ready.size())).doesNotContain(200);
            run.workload().awaitDrained(Duration.ofMinutes(2));
            CheckReport report = checked(run);

            int released = 0;
            for (long id : held) {
                List<HistoryEntry> h = history(run, id);
                List<String> events = h.stream().map(HistoryEntry::event).toList();
                if (events.equals(List.of("claimed", "succeeded"))) {
                    continue; // finished within the grace period
                }
                released++;
                assertThat(events).containsExactly("claimed", "released", "claimed", "succeeded");
                assertThat(h.get(3).workerId()).isEqualTo(workers.get(1).instanceId());
                assertThat(view(run, id).attempt()).as("attempt of %s", id).isEqualTo(1);
            }
            assertThat(released).as("executions released by the stopped worker").isPositive();
            assertThat(run.history().events().values().stream()
                            .flatMap(List::stream)
                            .filter(e -> e.event().equals("claimed")
                                    && victim.instanceId().equals(e.workerId()))
                            .filter(e -> e.at().isAfter(signalled.plusSeconds(1))))
                    .as("claims by the stopped worker after SIGTERM")
                    .isEmpty();
            Map<String, Long> runs = run.history().effects().stream()
                    .collect(Collectors.groupingBy(e -> e.executionId() + ":" + e.nodeId(), Collectors.counting()));
            for (long id : ids) {
                assertThat(runs.get(id + ":before")).as("runs of %s:before", id).isEqualTo(1);
            }
            assertThat(report.verdict(5).count("releases")).isGreaterThanOrEqualTo(held.size());
        }
    }

    @Test
    void aPausedWorkerLosesItsLeasesAndWritesNothingWhenResumed() {
        try (FaultRun run = run("sigstop-held", settings())) {
            List<WorkerProcess> workers = run.fleet().start(run.names(2));
            WorkerProcess victim = workers.get(0);
            run.workload().submit(FaultWorkflows.LONG, longInputs(16, 3000));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> !heldBy(run, victim).isEmpty());
            Duration frozen = FaultBounds.takeover(run.fleet().settings())
                    .minus(FaultBounds.MARGIN)
                    .plusSeconds(2);
            Nemesis.Pause p = run.nemesis().pause(victim, frozen);
            run.workload().awaitDrained(Duration.ofMinutes(2));
            Map<Long, Long> stale = stale(
                    HistoryLoader.load(
                            run.store(), run.workload().submitted(), List.of(), Set.of(), FaultBounds.MARGIN),
                    victim);
            if (!frozenProcessMayHoldTheStore()) {
                assertThat(stale)
                        .as("executions taken over from the paused worker")
                        .isNotEmpty();
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> lostReported(victim, p).containsAll(stale.entrySet()));
            checked(run);

            for (Map.Entry<Long, Long> e : stale.entrySet()) {
                List<HistoryEntry> h = history(run, e.getKey());
                assertThat(h.stream().filter(x -> x.leaseEpoch() == e.getValue()))
                        .as("events of execution %s epoch %s", e.getKey(), e.getValue())
                        .extracting(HistoryEntry::event)
                        .containsExactly("claimed", "rescued");
            }
            Set<String> epochs = stale.entrySet().stream()
                    .map(e -> e.getKey() + "/" + e.getValue())
                    .collect(Collectors.toSet());
            assertThat(PauseCheck.problems(victim.log(), p.resumeOffset(), epochs, FaultWorkflows.dependencies()))
                    .isEmpty();
        }
    }

    /** The (execution, epoch) pairs {@code w} reported lost after it was resumed. */
    static Set<Map.Entry<Long, Long>> lostReported(WorkerProcess w, Nemesis.Pause p) {
        return w.log().after(p.resumeOffset()).messages("lease lost").stream()
                .map(e -> Map.entry(e.number("execution_id"), e.number("lease_epoch")))
                .collect(Collectors.toSet());
    }

    @Test
    void anActionThatKeepsKillingItsWorkerIsQuarantined() {
        try (FaultRun run = run("quarantine", settings())) {
            run.fleet().start(run.names(2));
            run.fleet().superviseRestarts();
            long id = run.workload().submit(FaultWorkflows.HALT, List.of("{}")).get(0);
            List<Long> good = run.workload().submit(FaultWorkflows.QUICK, Collections.nCopies(50, "{}"));
            run.workload().awaitDrained(Duration.ofMinutes(2));
            checked(run);

            ExecutionView v = view(run, id);
            assertThat(v.state()).isEqualTo(ExecutionState.FAILED);
            assertThat(v.deaths()).isEqualTo(2);
            assertThat(v.lastError()).startsWith("quarantined as poison: its worker died 2 times");
            assertThat(history(run, id)).extracting(HistoryEntry::event).endsWith("quarantined");
            assertThat(good).allMatch(g -> view(run, g).state() == ExecutionState.SUCCEEDED);
        }
    }

    @Test
    void retryableFailuresRetryWithGrowingDelaysAndPermanentOnesFailAtOnce() {
        try (FaultRun run = run("retries", settings())) {
            run.fleet().start(run.names(1));
            long retryable = run.workload()
                    .submit(FaultWorkflows.ALWAYS_RETRYABLE, List.of("{}"))
                    .get(0);
            long permanent = run.workload()
                    .submit(FaultWorkflows.PERMANENT, List.of("{}"))
                    .get(0);
            run.workload().awaitDrained(Duration.ofMinutes(1));
            checked(run);

            ExecutionStore store = run.store().store();
            ExecutionView r = store.executionGet(retryable).orElseThrow();
            assertThat(r.state()).isEqualTo(ExecutionState.FAILED);
            assertThat(r.attempt()).isEqualTo(4);
            assertThat(r.lastError())
                    .startsWith("max retries exceeded after 4 attempts:")
                    .contains("upstream unavailable");
            List<HistoryEntry> h = history(run, retryable);
            assertThat(h)
                    .extracting(HistoryEntry::event)
                    .containsExactly(
                            "claimed",
                            "retry_scheduled",
                            "claimed",
                            "retry_scheduled",
                            "claimed",
                            "retry_scheduled",
                            "claimed",
                            "failed");
            assertThat(h.stream().filter(e -> !e.event().equals("claimed")))
                    .as("every attempt's error")
                    .allMatch(e -> e.detail() != null && e.detail().contains("upstream unavailable"))
                    .extracting(HistoryEntry::attempt)
                    .containsExactly(1, 2, 3, 4);
            // Backoff 300, 600, 1200 ms, each with at most 25% jitter.
            Function<Integer, Duration> wait = i ->
                    Duration.between(h.get(2 * i + 1).at(), h.get(2 * i + 2).at());
            assertThat(wait.apply(0)).isGreaterThanOrEqualTo(Duration.ofMillis(225));
            assertThat(wait.apply(1)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
            assertThat(wait.apply(2)).isGreaterThanOrEqualTo(Duration.ofMillis(900));

            ExecutionView p = store.executionGet(permanent).orElseThrow();
            assertThat(p.state()).isEqualTo(ExecutionState.FAILED);
            assertThat(p.attempt()).isEqualTo(1);
            assertThat(p.lastError()).contains("bad request");
            assertThat(history(run, permanent)).extracting(HistoryEntry::event).containsExactly("claimed", "failed");
        }
    }
}
