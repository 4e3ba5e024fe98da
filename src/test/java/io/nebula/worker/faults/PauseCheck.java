package io.nebula.worker.faults;

import io.nebula.worker.faults.History.Event;
import io.nebula.worker.testing.WorkerLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a worker frozen past its lease may and may not do once it is resumed, judged from its log.
 *
 * <p>A process can be frozen at any instruction, including between deciding to start a node and
 * the node's first line: such a node runs after the resume, and no check inside the worker can
 * prevent it (only the store's fence and the action's idempotency key contain it). What the worker
 * must not do is decide anything after the resume: start a node whose dependencies finished only
 * after the resume, or fail to notice the lost lease. So a node started after the resume is
 * acceptable only if every dependency had ended before the freeze.
 */
final class PauseCheck {
    private PauseCheck() {}

    /**
     * The epochs ({@code "execution/epoch"}) {@code instanceId} held when it was frozen at {@code
     * pausedAt} and that were rescued after that, before {@code until}.
     */
    static Set<String> staleEpochs(History h, String instanceId, Instant pausedAt, Instant until) {
        Set<String> out = new HashSet<>();
        for (List<Event> events : h.events().values()) {
            for (Event rescue : events) {
                if (!rescue.event().equals("rescued")
                        || !FaultBounds.heldBy(rescue, instanceId)
                        || rescue.at().isBefore(pausedAt)
                        || !rescue.at().isBefore(until)) {
                    continue;
                }
                boolean claimedBefore = events.stream()
                        .anyMatch(c -> c.event().equals("claimed")
                                && c.leaseEpoch() == rescue.leaseEpoch()
                                && c.at().isBefore(pausedAt));
                if (claimedBefore) {
                    out.add(rescue.executionId() + "/" + rescue.leaseEpoch());
                }
            }
        }
        return out;
    }

    /**
     * Problems with what the resumed worker did for the {@code stale} epochs: a node it decided to
     * start after the resume, or a stale epoch it never reported lost.
     *
     * @param dependencies node dependencies by workflow name and node id
     */
    static List<String> problems(
            WorkerLog log, long resumeOffset, Set<String> stale, Map<String, Map<String, List<String>>> dependencies) {
        List<String> out = new ArrayList<>();
        Set<String> endedBeforeFreeze = new HashSet<>();
        Set<String> reportedLost = new HashSet<>();
        for (WorkerLog.Entry e : log.entries()) {
            String epoch = e.number("execution_id") + "/" + e.number("lease_epoch");
            if (!stale.contains(epoch)) {
                continue;
            }
            boolean after = e.offset() >= resumeOffset;
            switch (e.msg()) {
                case "node ended" -> {
                    if (!after) {
                        endedBeforeFreeze.add(epoch + "/" + e.text("node_id"));
                    }
                }
                case "lease lost" -> {
                    if (after) {
                        reportedLost.add(epoch);
                    }
                }
                case "node started" -> {
                    if (after) {
                        List<String> deps = dependencies
                                .getOrDefault(e.text("workflow"), Map.of())
                                .getOrDefault(e.text("node_id"), List.of());
                        for (String d : deps) {
                            if (!endedBeforeFreeze.contains(epoch + "/" + d)) {
                                out.add("started node " + e.text("node_id") + " of " + epoch
                                        + " after the resume, though its dependency " + d
                                        + " had not ended before the freeze");
                            }
                        }
                    }
                }
                default -> {}
            }
        }
        for (String epoch : stale) {
            if (!reportedLost.contains(epoch)) {
                out.add("never reported the lease of " + epoch + " lost");
            }
        }
        return out;
    }
}
