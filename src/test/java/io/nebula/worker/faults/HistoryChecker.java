package io.nebula.worker.faults;

import io.nebula.worker.faults.CheckReport.Tally;
import io.nebula.worker.faults.History.Effect;
import io.nebula.worker.faults.History.Event;
import io.nebula.worker.faults.History.Execution;
import io.nebula.worker.faults.History.Node;
import io.nebula.worker.faults.History.WorkerRecord;
import io.nebula.worker.testing.PrometheusText;
import io.nebula.worker.testing.WorkerLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Judges a {@link History} against the eight invariants of the execution contract
 * ({@code SEMANTICS.md}), each reported valid or invalid with counts and examples:
 *
 * <ol>
 *   <li>no execution lost: every submitted id reaches exactly one terminal state, which never
 *       changes;
 *   <li>one success at most per execution, written by the holder of the newest lease epoch;
 *   <li>lease epochs only increase; no write from a stale epoch was accepted;
 *   <li>checkpointed nodes never ran again; duplicate side effects happen only for nodes in flight
 *       at a fault, each explained by a recorded interruption of that node's epoch;
 *   <li>attempts stay within budget; a graceful release gives its attempt back;
 *   <li>nothing is left running with an expired lease, or available and overdue, once settled;
 *   <li>every completion a worker acknowledged (its trace log) is in the database;
 *   <li>the metrics' counters agree with the database.
 * </ol>
 *
 * <p>The checker trusts nothing the worker reports about itself: it reads the tables and the
 * workers' logs and compares them. Timestamps are compared only where one database transaction
 * orders them, with a tolerance for statement start times ({@code now()} is taken when a
 * transaction begins, not when it commits).
 */
public final class HistoryChecker {
    private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "cancelled");
    /** Events only the holder of the current lease can cause. */
    private static final Set<String> HOLDER_EVENTS =
            Set.of("succeeded", "failed", "retry_scheduled", "released", "waiting");
    /** Attempt outcomes a worker logs after its write was accepted, named as the history names them. */
    private static final Set<String> ACKNOWLEDGED =
            Set.of("succeeded", "failed", "retry_scheduled", "released", "waiting", "cancelled");

    private static final Duration CLOCK_TOLERANCE = Duration.ofSeconds(1);
    private static final String TRACE_LOGGER = "io.nebula.worker.trace";

    private final History h;
    private final Map<Long, Map<Long, Epoch>> epochs = new HashMap<>();
    private final List<Trace> traces = new ArrayList<>();

    /** One lease epoch of one execution: the claim that opened it and the event that ended it. */
    private static final class Epoch {
        final Event claim;
        Event end;

        Epoch(Event claim) {
            this.claim = claim;
        }
    }

    /** One trace record of one worker. */
    private record Trace(
            WorkerRecord worker,
            String msg,
            long executionId,
            long epoch,
            String nodeId,
            String outcome,
            String status) {}

    private HistoryChecker(History h) {
        this.h = h;
        for (Map.Entry<Long, List<Event>> e : h.events().entrySet()) {
            Map<Long, Epoch> byEpoch = new LinkedHashMap<>();
            Epoch current = null;
            for (Event ev : e.getValue()) {
                if (ev.event().equals("claimed")) {
                    current = new Epoch(ev);
                    byEpoch.put(ev.leaseEpoch(), current);
                } else if (current != null && current.end == null && !"running".equals(ev.toState())) {
                    current.end = ev;
                }
            }
            epochs.put(e.getKey(), byEpoch);
        }
        for (WorkerRecord w : h.workers()) {
            for (WorkerLog.Entry e : w.log().entries()) {
                if (!TRACE_LOGGER.equals(e.text("logger"))) {
                    continue;
                }
                traces.add(new Trace(
                        w,
                        e.msg(),
                        e.number("execution_id"),
                        e.number("lease_epoch"),
                        e.text("node_id"),
                        e.text("outcome"),
                        e.text("status")));
            }
        }
    }

    public static CheckReport check(History history) {
        HistoryChecker c = new HistoryChecker(history);
        return new CheckReport(List.of(
                c.noExecutionLost(),
                c.atMostOneSuccess(),
                c.epochsFence(),
                c.checkpointsAndSideEffects(),
                c.attemptBudget(),
                c.settled(),
                c.acknowledgedDurable(),
                c.metricsAgree()));
    }

    private List<Event> events(long id) {
        return h.events().getOrDefault(id, List.of());
    }

    // 1 -------------------------------------------------------------------------------------------

    private CheckReport.Verdict noExecutionLost() {
        Tally t = new Tally(
                1,
                "no execution lost; one terminal state that never changes",
                "missing",
                "not_terminal",
                "terminal_without_history",
                "terminal_state_changed");
        t.set("submitted", h.submitted().size());
        for (long id : h.submitted()) {
            Execution e = h.executions().get(id);
            if (e == null) {
                t.violation("missing", "execution " + id + " was submitted but is not in the database");
                continue;
            }
            if (!TERMINAL.contains(e.state())) {
                t.violation(
                        "not_terminal",
                        "execution " + id + " is " + e.state() + " (attempt " + e.attempt() + ", owner "
                                + e.leaseOwner() + ")");
                continue;
            }
            t.count(e.state());
            List<Event> ev = events(id);
            int firstTerminal = -1;
            for (int i = 0; i < ev.size(); i++) {
                if (TERMINAL.contains(ev.get(i).toState())) {
                    firstTerminal = i;
                    break;
                }
            }
            if (firstTerminal < 0) {
                t.violation(
                        "terminal_without_history", "execution " + id + " is " + e.state() + " but no event says so");
            } else if (firstTerminal != ev.size() - 1
                    || !ev.get(firstTerminal).toState().equals(e.state())) {
                Event next = firstTerminal + 1 < ev.size() ? ev.get(firstTerminal + 1) : ev.get(firstTerminal);
                t.violation(
                        "terminal_state_changed",
                        "execution " + id + " became " + ev.get(firstTerminal).toState() + " at seq "
                                + ev.get(firstTerminal).seq() + ", then " + next.event() + " -> " + next.toState()
                                + " (row says " + e.state() + ")");
            }
        }
        return t.verdict();
    }

    // 2 -------------------------------------------------------------------------------------------

    private CheckReport.Verdict atMostOneSuccess() {
        Tally t = new Tally(
                2,
                "at most one success, by the holder of the newest epoch",
                "double_success",
                "success_without_event",
                "success_by_stale_epoch",
                "success_by_non_holder");
        for (Execution e : h.executions().values()) {
            List<Event> ev = events(e.id());
            List<Event> successes =
                    ev.stream().filter(x -> x.event().equals("succeeded")).toList();
            t.add("success_events", successes.size());
            if (successes.size() > 1) {
                t.violation(
                        "double_success",
                        "execution " + e.id() + " succeeded " + successes.size() + " times, epochs "
                                + successes.stream().map(Event::leaseEpoch).toList());
            }
            if (e.state().equals("succeeded") && successes.isEmpty()) {
                t.violation("success_without_event", "execution " + e.id() + " is succeeded with no success event");
            }
            long newest = epochs.getOrDefault(e.id(), Map.of()).keySet().stream()
                    .mapToLong(Long::longValue)
                    .max()
                    .orElse(0);
            for (Event s : successes) {
                Event claim = claimBefore(ev, s);
                if (claim == null || s.leaseEpoch() != claim.leaseEpoch() || s.leaseEpoch() != newest) {
                    t.violation(
                            "success_by_stale_epoch",
                            "execution " + e.id() + " succeeded with epoch " + s.leaseEpoch() + " (seq " + s.seq()
                                    + ") while the newest epoch is " + newest);
                } else if (!Objects.equals(s.workerId(), claim.workerId())) {
                    t.violation(
                            "success_by_non_holder",
                            "execution " + e.id() + " succeeded by " + s.workerId() + " but epoch " + claim.leaseEpoch()
                                    + " was claimed by " + claim.workerId());
                }
            }
        }
        return t.verdict();
    }

    private static Event claimBefore(List<Event> ev, Event x) {
        Event claim = null;
        for (Event e : ev) {
            if (e.seq() >= x.seq()) {
                break;
            }
            if (e.event().equals("claimed")) {
                claim = e;
            }
        }
        return claim;
    }

    // 3 -------------------------------------------------------------------------------------------

    private CheckReport.Verdict epochsFence() {
        Tally t = new Tally(
                3,
                "lease epochs only increase; no stale-epoch write accepted",
                "epoch_decreased",
                "claim_not_next_epoch",
                "event_with_stale_epoch",
                "holder_event_by_other_worker",
                "row_epoch_mismatch",
                "checkpoint_of_unknown_epoch",
                "checkpoint_attempt_mismatch",
                "checkpoint_after_lease_ended");
        for (Execution e : h.executions().values()) {
            long highest = 0;
            long lastClaim = 0;
            Event claim = null;
            for (Event ev : events(e.id())) {
                if (ev.leaseEpoch() < highest) {
                    t.violation(
                            "epoch_decreased",
                            "execution " + e.id() + " seq " + ev.seq() + " " + ev.event() + " has epoch "
                                    + ev.leaseEpoch() + " after epoch " + highest);
                }
                if (ev.event().equals("claimed")) {
                    t.count("claims");
                    if (ev.leaseEpoch() != lastClaim + 1) {
                        t.violation(
                                "claim_not_next_epoch",
                                "execution " + e.id() + " claimed with epoch " + ev.leaseEpoch() + " after "
                                        + lastClaim);
                    }
                    lastClaim = ev.leaseEpoch();
                    claim = ev;
                } else {
                    long current = claim == null ? 0 : claim.leaseEpoch();
                    if (ev.leaseEpoch() != current) {
                        t.violation(
                                "event_with_stale_epoch",
                                "execution " + e.id() + " seq " + ev.seq() + " " + ev.event() + " by "
                                        + ev.workerId() + " carries epoch " + ev.leaseEpoch() + "; current is "
                                        + current);
                    } else if (claim != null
                            && HOLDER_EVENTS.contains(ev.event())
                            && !Objects.equals(ev.workerId(), claim.workerId())) {
                        t.violation(
                                "holder_event_by_other_worker",
                                "execution " + e.id() + " " + ev.event() + " by " + ev.workerId() + " but epoch "
                                        + current + " is held by " + claim.workerId());
                    }
                }
                highest = Math.max(highest, ev.leaseEpoch());
            }
            if (e.leaseEpoch() != lastClaim) {
                t.violation(
                        "row_epoch_mismatch",
                        "execution " + e.id() + " row has epoch " + e.leaseEpoch() + ", its last claim " + lastClaim);
            }
            Map<Long, Epoch> byEpoch = epochs.getOrDefault(e.id(), Map.of());
            for (Node n : h.nodes().getOrDefault(e.id(), List.of())) {
                t.count("checkpoints");
                Epoch ep = byEpoch.get(n.leaseEpoch());
                if (ep == null) {
                    t.violation(
                            "checkpoint_of_unknown_epoch",
                            "execution " + e.id() + " node " + n.nodeId() + " written with epoch " + n.leaseEpoch()
                                    + ", which was never claimed");
                    continue;
                }
                if (ep.claim.attempt() != n.attempt()) {
                    t.violation(
                            "checkpoint_attempt_mismatch",
                            "execution " + e.id() + " node " + n.nodeId() + " says attempt " + n.attempt() + ", epoch "
                                    + n.leaseEpoch() + " was attempt " + ep.claim.attempt());
                }
                if (ep.end != null
                        && n.recordedAt() != null
                        && n.recordedAt().isAfter(ep.end.at().plus(CLOCK_TOLERANCE))) {
                    t.violation(
                            "checkpoint_after_lease_ended",
                            "execution " + e.id() + " node " + n.nodeId() + " recorded at " + n.recordedAt()
                                    + " with epoch " + n.leaseEpoch() + ", which ended (" + ep.end.event() + ") at "
                                    + ep.end.at());
                }
            }
        }
        return t.verdict();
    }

    // 4 -------------------------------------------------------------------------------------------

    private CheckReport.Verdict checkpointsAndSideEffects() {
        Tally t = new Tally(
                4,
                "checkpointed nodes never re-run; duplicate side effects explained",
                "checkpointed_node_ran_again",
                "failed_checkpoint_in_succeeded_execution",
                "checkpoint_without_side_effect",
                "unexplained_duplicate_effect");
        Map<String, List<Trace>> starts = new HashMap<>();
        Map<String, Long> failedTries = new HashMap<>();
        Map<Long, Set<Long>> lostEpochs = new HashMap<>();
        for (Trace tr : traces) {
            switch (tr.msg()) {
                case "node started" -> {
                    t.count("node_starts");
                    starts.computeIfAbsent(tr.executionId() + ":" + tr.nodeId(), k -> new ArrayList<>())
                            .add(tr);
                }
                case "node ended" -> {
                    if ("retrying".equals(tr.status()) || "failed".equals(tr.status())) {
                        failedTries.merge(tr.executionId() + ":" + tr.nodeId(), 1L, Long::sum);
                    }
                }
                case "lease lost" ->
                    lostEpochs
                            .computeIfAbsent(tr.executionId(), k -> new HashSet<>())
                            .add(tr.epoch());
                default -> {}
            }
        }
        Map<String, Long> effectsByKey = new HashMap<>();
        for (Effect f : h.effects()) {
            // By execution and node: the key sent also carries the store's installation id.
            effectsByKey.merge(f.executionId() + ":" + f.nodeId(), 1L, Long::sum);
        }
        t.set("side_effects", h.effects().size());
        t.set("effect_keys", effectsByKey.size());
        for (Execution e : h.executions().values()) {
            for (Node n : h.nodes().getOrDefault(e.id(), List.of())) {
                String key = e.id() + ":" + n.nodeId();
                boolean done = n.status().equals("succeeded") || n.status().equals("skipped");
                if (done) {
                    t.count("nodes_checkpointed");
                    for (Trace s : starts.getOrDefault(key, List.of())) {
                        if (s.epoch() > n.leaseEpoch()) {
                            t.violation(
                                    "checkpointed_node_ran_again",
                                    "node " + key + " was checkpointed " + n.status() + " in epoch " + n.leaseEpoch()
                                            + " and started again in epoch " + s.epoch() + " by "
                                            + s.worker().instanceId());
                        }
                    }
                }
                if (e.state().equals("succeeded") && n.status().equals("failed")) {
                    t.violation(
                            "failed_checkpoint_in_succeeded_execution",
                            "execution " + e.id() + " succeeded but node " + n.nodeId()
                                    + " is still recorded as failed (epoch " + n.leaseEpoch() + ")");
                }
                if (n.status().equals("succeeded")
                        && h.effectNodes().contains(n.nodeId())
                        && !effectsByKey.containsKey(key)) {
                    t.violation(
                            "checkpoint_without_side_effect",
                            "node " + key + " is checkpointed succeeded but never left its side effect");
                }
            }
        }
        for (Map.Entry<String, Long> f : effectsByKey.entrySet()) {
            long extra = f.getValue() - 1;
            if (extra <= 0) {
                continue;
            }
            t.add("duplicate_effects", extra);
            String key = f.getKey();
            long id = Long.parseLong(key.substring(0, key.indexOf(':')));
            Map<Long, Epoch> byEpoch = epochs.getOrDefault(id, Map.of());
            Set<Long> lost = lostEpochs.getOrDefault(id, Set.of());
            // Interruptions of the epochs in which this node was in flight, strongest cause first.
            long rescued = 0;
            long leaseLost = 0;
            long released = 0;
            Set<Long> inFlight = new HashSet<>();
            for (Trace s : starts.getOrDefault(key, List.of())) {
                inFlight.add(s.epoch());
            }
            for (long epoch : inFlight) {
                Epoch ep = byEpoch.get(epoch);
                String end = ep == null || ep.end == null ? null : ep.end.event();
                if ("rescued".equals(end) || "quarantined".equals(end)) {
                    rescued++;
                } else if (lost.contains(epoch)) {
                    leaseLost++;
                } else if ("released".equals(end)) {
                    released++;
                }
            }
            long tries = failedTries.getOrDefault(key, 0L);
            long left = extra;
            long byRescue = Math.min(left, rescued);
            left -= byRescue;
            long byLoss = Math.min(left, leaseLost);
            left -= byLoss;
            long byRelease = Math.min(left, released);
            left -= byRelease;
            long byRetry = Math.min(left, tries);
            left -= byRetry;
            t.add("explained_by_rescue", byRescue);
            t.add("explained_by_lease_loss", byLoss);
            t.add("explained_by_release", byRelease);
            t.add("explained_by_node_retry", byRetry);
            if (left > 0) {
                t.add("unexplained_duplicate_effect", left - 1);
                t.violation(
                        "unexplained_duplicate_effect",
                        "node " + key + " left " + f.getValue() + " side effects; in-flight epochs " + inFlight
                                + " show rescues=" + rescued + " lease losses=" + leaseLost + " releases="
                                + released + " failed tries=" + tries);
            } else {
                t.note("duplicate of " + key + " (" + f.getValue() + " runs) explained: rescue=" + byRescue
                        + " lease_loss=" + byLoss + " release=" + byRelease + " node_retry=" + byRetry);
            }
        }
        return t.verdict();
    }

    // 5 -------------------------------------------------------------------------------------------

    private CheckReport.Verdict attemptBudget() {
        Tally t = new Tally(
                5,
                "attempts within budget; a graceful release gives its attempt back",
                "claim_over_budget",
                "attempt_not_counted_once",
                "release_kept_attempt");
        long highest = 0;
        for (Execution e : h.executions().values()) {
            int previous = 0;
            Event claim = null;
            for (Event ev : events(e.id())) {
                switch (ev.event()) {
                    case "claimed" -> {
                        if (ev.attempt() != previous + 1) {
                            t.violation(
                                    "attempt_not_counted_once",
                                    "execution " + e.id() + " claimed as attempt " + ev.attempt() + " after "
                                            + previous);
                        }
                        if (ev.attempt() > e.maxAttempts()) {
                            t.violation(
                                    "claim_over_budget",
                                    "execution " + e.id() + " claimed as attempt " + ev.attempt() + " of "
                                            + e.maxAttempts());
                        }
                        claim = ev;
                    }
                    case "released", "waiting" -> {
                        t.count(ev.event().equals("released") ? "releases" : "waits");
                        if (claim != null && ev.attempt() != claim.attempt() - 1) {
                            t.violation(
                                    "release_kept_attempt",
                                    "execution " + e.id() + " " + ev.event() + " at attempt " + ev.attempt()
                                            + " after claim attempt " + claim.attempt());
                        }
                    }
                    case "retry_scheduled" -> t.count("retries");
                    default -> {}
                }
                previous = ev.attempt();
            }
            if (e.attempt() > e.maxAttempts()) {
                t.violation(
                        "claim_over_budget",
                        "execution " + e.id() + " is at attempt " + e.attempt() + " of " + e.maxAttempts());
            }
            highest = Math.max(highest, e.attempt());
        }
        t.set("highest_attempt", highest);
        return t.verdict();
    }

    // 6 -------------------------------------------------------------------------------------------

    private CheckReport.Verdict settled() {
        Tally t = new Tally(
                6,
                "settled: no expired lease left running, nothing overdue",
                "expired_lease_still_running",
                "overdue_available");
        for (Execution e : h.executions().values()) {
            if (e.state().equals("running")) {
                t.count("running");
                if (e.leaseExpiresAt() != null && e.leaseExpiresAt().isBefore(h.now())) {
                    t.violation(
                            "expired_lease_still_running",
                            "execution " + e.id() + " held by " + e.leaseOwner() + " expired at " + e.leaseExpiresAt());
                }
            } else if (e.state().equals("available")) {
                t.count("available");
                if (e.runAt().isBefore(h.now().minus(h.settleMargin()))) {
                    t.violation(
                            "overdue_available",
                            "execution " + e.id() + " due at " + e.runAt() + ", still available at " + h.now());
                }
            }
        }
        return t.verdict();
    }

    // 7 -------------------------------------------------------------------------------------------

    private CheckReport.Verdict acknowledgedDurable() {
        Tally t = new Tally(7, "every completion a worker acknowledged is in the database", "acknowledged_but_missing");
        Map<String, Event> holderEvents = new HashMap<>();
        for (List<Event> ev : h.events().values()) {
            for (Event e : ev) {
                if (!e.event().equals("claimed") && "running".equals(e.fromState())) {
                    holderEvents.put(e.executionId() + "/" + e.leaseEpoch() + "/" + e.event(), e);
                }
            }
        }
        for (Trace tr : traces) {
            if (!tr.msg().equals("execution ended")) {
                continue;
            }
            if ("lease_lost".equals(tr.outcome())) {
                t.count("reported_lease_lost");
                for (String ev : HOLDER_EVENTS) {
                    Event e = holderEvents.get(tr.executionId() + "/" + tr.epoch() + "/" + ev);
                    if (e != null && Objects.equals(e.workerId(), tr.worker().instanceId())) {
                        t.count("reported_lost_but_committed");
                        t.note("worker " + tr.worker().instanceId() + " reported the lease of execution "
                                + tr.executionId() + " epoch " + tr.epoch() + " lost, but its " + ev + " committed");
                    }
                }
                continue;
            }
            if (!ACKNOWLEDGED.contains(tr.outcome())) {
                continue;
            }
            t.count("acknowledged");
            Event e = holderEvents.get(tr.executionId() + "/" + tr.epoch() + "/" + tr.outcome());
            if (e == null || !Objects.equals(e.workerId(), tr.worker().instanceId())) {
                t.violation(
                        "acknowledged_but_missing",
                        "worker " + tr.worker().instanceId() + " acknowledged " + tr.outcome() + " of execution "
                                + tr.executionId() + " epoch " + tr.epoch() + "; the database has "
                                + (e == null ? "no such event" : "it by " + e.workerId()));
            }
        }
        return t.verdict();
    }

    // 8 -------------------------------------------------------------------------------------------

    private CheckReport.Verdict metricsAgree() {
        Tally t = new Tally(8, "metrics counters agree with the database", "counter_mismatch");
        Map<String, Map<String, Long>> byWorker = new HashMap<>();
        long rescuedRequeued = 0;
        long rescuedFailed = 0;
        long quarantined = 0;
        for (List<Event> ev : h.events().values()) {
            for (Event e : ev) {
                if ("running".equals(e.fromState()) && !e.event().equals("claimed")) {
                    byWorker.computeIfAbsent(e.workerId(), k -> new HashMap<>()).merge(e.event(), 1L, Long::sum);
                }
                if (e.event().equals("rescued")) {
                    if ("available".equals(e.toState())) {
                        rescuedRequeued++;
                    } else {
                        rescuedFailed++;
                    }
                } else if (e.event().equals("quarantined")) {
                    quarantined++;
                }
            }
        }
        boolean everyoneScraped = true;
        double[] rescuedSeen = new double[3];
        for (WorkerRecord w : h.workers()) {
            if (w.finalMetrics() == null) {
                everyoneScraped = false;
                t.count("workers_not_compared");
                continue;
            }
            t.count("workers_compared");
            Map<String, Long> db = byWorker.getOrDefault(w.instanceId(), Map.of());
            List<Trace> mine = traces.stream().filter(x -> x.worker() == w).toList();
            for (String outcome :
                    List.of("succeeded", "failed", "retry_scheduled", "released", "waiting", "cancelled")) {
                compare(
                        t,
                        w,
                        "worker_attempts_total{outcome=" + outcome + "}",
                        metric(w, "worker_attempts_total", Map.of("outcome", outcome)),
                        db.getOrDefault(outcome, 0L));
            }
            long lostEnded = mine.stream()
                    .filter(x -> x.msg().equals("execution ended") && "lease_lost".equals(x.outcome()))
                    .count();
            compare(
                    t,
                    w,
                    "worker_attempts_total{outcome=lease_lost} vs trace",
                    metric(w, "worker_attempts_total", Map.of("outcome", "lease_lost")),
                    lostEnded);
            compare(
                    t,
                    w,
                    "worker_lease_lost_total vs trace",
                    metric(w, "worker_lease_lost_total", Map.of()),
                    mine.stream().filter(x -> x.msg().equals("lease lost")).count());
            compare(
                    t,
                    w,
                    "worker_jobs_processed_total",
                    metric(w, "worker_jobs_processed_total", Map.of()),
                    db.getOrDefault("succeeded", 0L)
                            + db.getOrDefault("failed", 0L)
                            + db.getOrDefault("cancelled", 0L));
            compare(
                    t,
                    w,
                    "worker_jobs_failed_total",
                    metric(w, "worker_jobs_failed_total", Map.of()),
                    db.getOrDefault("failed", 0L));
            rescuedSeen[0] += metric(w, "worker_rescued_total", Map.of("result", "requeued"));
            rescuedSeen[1] += metric(w, "worker_rescued_total", Map.of("result", "failed"));
            rescuedSeen[2] += metric(w, "worker_rescued_total", Map.of("result", "quarantined"));
        }
        long[] dbRescues = {rescuedRequeued, rescuedFailed, quarantined};
        String[] names = {"requeued", "failed", "quarantined"};
        for (int i = 0; i < 3; i++) {
            long seen = Math.round(rescuedSeen[i]);
            // Counters of killed leaders died with them: then the survivors' sum is a lower bound.
            boolean ok = everyoneScraped ? seen == dbRescues[i] : seen <= dbRescues[i];
            t.set("rescued_" + names[i] + "_db", dbRescues[i]);
            if (!ok) {
                t.violation(
                        "counter_mismatch",
                        "worker_rescued_total{result=" + names[i] + "} sums to " + seen + ", the database has "
                                + dbRescues[i] + (everyoneScraped ? "" : " (upper bound)"));
            }
        }
        return t.verdict();
    }

    private static void compare(Tally t, WorkerRecord w, String what, double metric, long expected) {
        t.count("counters_compared");
        if (Math.round(metric) != expected) {
            t.violation(
                    "counter_mismatch",
                    w.instanceId() + " " + what + " = " + Math.round(metric) + ", the database/log says " + expected);
        }
    }

    private static double metric(WorkerRecord w, String family, Map<String, String> labels) {
        PrometheusText.Family f = w.finalMetrics().get(family);
        if (f == null) {
            f = w.finalMetrics().get(family.replaceFirst("_total$", ""));
        }
        if (f == null) {
            return 0;
        }
        for (PrometheusText.Sample s : f.samples()) {
            if ((s.name().equals(family) || s.name().equals(family + "_total"))
                    && s.labels().equals(labels)) {
                return s.value();
            }
        }
        return 0;
    }
}
