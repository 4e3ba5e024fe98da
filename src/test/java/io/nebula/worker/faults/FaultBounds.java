package io.nebula.worker.faults;

import io.nebula.worker.faults.History.Event;
import io.nebula.worker.faults.History.Fault;
import io.nebula.worker.testing.WorkerSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The timing bounds the fault scenarios check, derived from the worker settings. Each is a
 * semantic bound (what the protocol promises: a lease, a leader lease, a poll) plus {@link
 * #MARGIN} for a loaded two-core machine; none is a speed claim.
 */
final class FaultBounds {
    /** Slack on top of every semantic bound. */
    static final Duration MARGIN = Duration.ofSeconds(6);

    private FaultBounds() {}

    /** The suite's worker settings: {@link WorkerSettings#fastTimings()} with four connections. */
    static WorkerSettings settings() {
        return WorkerSettings.fastTimings().with("database.max_connections", 4);
    }

    static Duration visibility(WorkerSettings s) {
        return Duration.ofSeconds(s.number("queue.visibility_timeout_seconds"));
    }

    static Duration poll(WorkerSettings s) {
        return Duration.ofMillis(s.number("worker.poll_interval_ms"));
    }

    /**
     * Longest an execution can stay with a dead or frozen holder before another worker claims
     * it: its lease, the dead process's leader lease (maintenance runs every fifth of the
     * visibility timeout and the leader lease lasts three runs plus a second), one more
     * maintenance run, a poll, and the margin.
     */
    static Duration takeover(WorkerSettings s) {
        Duration vis = visibility(s);
        Duration maintenance = vis.dividedBy(5);
        Duration leaderLease = maintenance.multipliedBy(3).plusSeconds(1);
        return vis.plus(leaderLease)
                .plus(maintenance.multipliedBy(2))
                .plus(poll(s))
                .plus(MARGIN);
    }

    /**
     * For every execution a fault of kind {@code kind} orphaned (its rescue names the faulted
     * process as holder, and the rescued lease was claimed before the fault), the time from the fault
     * to the next claim by another worker. A lease the process claimed after the fault (a partition
     * that healed) is not one the fault orphaned: if it is lost too, for instance to a connection
     * the cut left half-open, its rescue is timed by the lease it had, not by the fault.
     */
    static List<Duration> takeovers(History h, String kind) {
        List<Duration> out = new ArrayList<>();
        for (Fault f : h.faults()) {
            if (!f.kind().equals(kind)) {
                continue;
            }
            for (List<Event> events : h.events().values()) {
                for (int i = 0; i < events.size(); i++) {
                    Event e = events.get(i);
                    if (e.event().equals("rescued") && heldBy(e, f.target()) && !claimedAfter(events, i, f.at())) {
                        events.stream()
                                .skip(i + 1)
                                .filter(x -> x.event().equals("claimed"))
                                .findFirst()
                                .ifPresent(c -> out.add(Duration.between(f.at(), c.at())));
                    }
                }
            }
        }
        return out;
    }

    /** Whether the lease that the rescue at {@code rescue} ended was claimed after {@code at}. */
    private static boolean claimedAfter(List<Event> events, int rescue, Instant at) {
        long epoch = events.get(rescue).leaseEpoch();
        for (int j = rescue - 1; j >= 0; j--) {
            Event c = events.get(j);
            if (c.event().equals("claimed") && c.leaseEpoch() == epoch) {
                return c.at().isAfter(at);
            }
        }
        return false;
    }

    /** Whether a rescue event names {@code instanceId} as the holder whose lease expired. */
    static boolean heldBy(Event rescue, String instanceId) {
        return rescue.detail() != null && rescue.detail().endsWith("held by " + instanceId);
    }

    static Duration max(List<Duration> ds) {
        return ds.stream().max(Duration::compareTo).orElse(Duration.ZERO);
    }
}
