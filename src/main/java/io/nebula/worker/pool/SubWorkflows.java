package io.nebula.worker.pool;

import io.nebula.worker.json.Json;
import io.nebula.worker.queue.CancelResult;
import io.nebula.worker.queue.ChildKeys;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.InspectionStore;
import io.nebula.worker.queue.MaintenanceStore;
import io.nebula.worker.queue.MapItems;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.RetryResult;
import io.nebula.worker.queue.WorkflowDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parents and children of sub-workflow nodes, found through the children's idempotency keys
 * ({@link ChildKeys}): the children of an execution, its parent, and the operator's cancel and
 * retry, which reach down to the children.
 */
public final class SubWorkflows {
    private static final Logger log = LoggerFactory.getLogger(SubWorkflows.class);
    private static final JsonMapper JSON = Json.MAPPER;

    private SubWorkflows() {}

    /** A child execution and the parent's node that started it. */
    public record Child(String nodeId, ExecutionView execution) {}

    /**
     * The children the sub-workflow nodes of {@code parent} started, in definition order, a map's
     * in item order (each named by its item's stored name, {@code <node id>[<index>]}).
     */
    public static List<Child> children(ExecutionStore store, ExecutionView parent) {
        return children(store, parent, Integer.MAX_VALUE);
    }

    /** As {@link #children(ExecutionStore, ExecutionView)}, the first {@code max} of them. */
    public static List<Child> children(ExecutionStore store, ExecutionView parent, int max) {
        Optional<String> definition = store.workflowGet(parent.workflowHash()).map(WorkflowDocument::definitionJson);
        if (definition.isEmpty()) {
            return List.of();
        }
        JsonNode nodes;
        try {
            nodes = JSON.readTree(definition.get()).path("nodes");
        } catch (JacksonException e) {
            return List.of();
        }
        List<Child> out = new ArrayList<>();
        List<NodeResult> results = null;
        for (JsonNode n : nodes) {
            if (out.size() >= max) {
                break;
            }
            if (!n.path("workflow").isString()) {
                continue;
            }
            String id = n.path("id").asString();
            if (!n.has("map")) {
                store.executionGetByKey(ChildKeys.key(parent.id(), id)).ifPresent(v -> out.add(new Child(id, v)));
                continue;
            }
            if (results == null) {
                results = store.nodeResultList(parent.id());
            }
            int items = MapItems.items(startRecord(results, id));
            // Without its start record (a retry from scratch deleted it, until the map's next look),
            // the children are found by walking the items until several in a row have none.
            int gapAllowed = items >= 0
                    ? Integer.MAX_VALUE
                    : Math.max(16, n.path("map").path("max_parallel").asInt(4));
            int gap = 0;
            // The items' first two generations are read a chunk of items at a time, in one statement.
            int chunk = InspectionStore.MAX_KEYS / 2;
            for (int from = 0, to; (items < 0 || from < items) && gap < gapAllowed && out.size() < max; from = to) {
                // No more items than the children still wanted (a listing wants 100), plus a gap's worth.
                int want = (int) Math.min(chunk, (long) max - out.size() + 16);
                to = items < 0 ? from + want : Math.min(items, from + want);
                List<String> keys = new ArrayList<>(2 * (to - from));
                for (int i = from; i < to; i++) {
                    keys.add(ChildKeys.itemKey(parent.id(), id, i, 0));
                    keys.add(ChildKeys.itemKey(parent.id(), id, i, 1));
                }
                Map<String, ExecutionView> found = store.executionGetByKeys(keys);
                for (int i = from; i < to && gap < gapAllowed && out.size() < max; i++) {
                    // The item's latest child: a retry of the parent starts a new one where the last failed.
                    ExecutionView latest = found.get(ChildKeys.itemKey(parent.id(), id, i, 0));
                    if (latest != null) {
                        ExecutionView next = found.get(ChildKeys.itemKey(parent.id(), id, i, 1));
                        for (int g = 2; next != null; g++) {
                            latest = next;
                            next = store.executionGetByKey(ChildKeys.itemKey(parent.id(), id, i, g))
                                    .orElse(null);
                        }
                        out.add(new Child(MapItems.key(id, i), latest));
                        gap = 0;
                    } else {
                        gap++;
                    }
                }
            }
        }
        return out;
    }

    /** The start record of map node {@code nodeId}; {@code null} before it started. */
    private static NodeResult startRecord(List<NodeResult> results, String nodeId) {
        String start = MapItems.startKey(nodeId);
        for (NodeResult r : results) {
            if (r.nodeId().equals(start)) {
                return r;
            }
        }
        return null;
    }

    /**
     * Whether {@code v} is the child of a map item that a later child of the same item replaced
     * (its key with the next generation, {@link ChildKeys#itemKey}, names an execution).
     */
    static boolean replaced(ExecutionStore store, ExecutionView v) {
        String key = v.idempotencyKey();
        Optional<ChildKeys.Parent> p = ChildKeys.parentOf(key);
        if (p.isEmpty() || MapItems.nodeOf(ChildKeys.itemOf(p.get().nodeId())) == null) {
            return false;
        }
        return store.executionGetByKey(ChildKeys.nextGeneration(key)).isPresent();
    }

    /** Why a retry of execution {@code id} was refused with {@link RetryResult#SUPERSEDED}. */
    public static String superseded(ExecutionStore store, long id) {
        String parent = store.executionGet(id)
                .flatMap(SubWorkflows::parent)
                .map(p -> "item '" + ChildKeys.itemOf(p.nodeId()) + "' of execution " + p.executionId()
                        + "; retry execution " + p.executionId() + " instead")
                .orElse("a map item");
        return "execution " + id + " was replaced by a later child of " + parent;
    }

    /** The parent execution and node that started {@code child}, when it is a sub-workflow's execution. */
    public static Optional<ChildKeys.Parent> parent(ExecutionView child) {
        return ChildKeys.parentOf(child.idempotencyKey());
    }

    /**
     * Cancels an execution, then every child of it that has not finished (and theirs): a parent
     * waiting for its child is usually not running, so the child would otherwise go on alone.
     *
     * @return what the cancel did to the execution asked for
     */
    public static CancelResult cancel(ExecutionStore store, long id, String reason, String by) {
        CancelResult result = store.executionCancel(id, reason, by);
        if (result == CancelResult.CANCELLED || result == CancelResult.REQUESTED) {
            store.executionGet(id).ifPresent(v -> cancelChildren(store, v, by));
        }
        return result;
    }

    /**
     * Cancels every child of {@code parent} that has not finished (and theirs). Also run by the
     * worker when a running parent's cancel is acknowledged (a look of it that was under way when
     * the cancel was asked for may have started children after the cancel listed them), and when a
     * parent it ran failed for good.
     */
    public static void cancelChildren(ExecutionStore store, ExecutionView parent, String by) {
        cancelChildren(store, parent, parentEnded(parent.id()) + "was cancelled", by);
    }

    /**
     * What the maintainer does with the executions a rescue failed, quarantined or cancelled: they
     * end as if their worker had written that (see {@link #cancelChildrenOfEnded}), on a thread of
     * their own.
     */
    static Consumer<List<Long>> cancelsChildrenOfEnded(PoolContext ctx) {
        return ids -> Thread.ofVirtual().name("nebula-rescue-cancel-children").start(() -> {
            for (long id : ids) {
                cancelChildrenOfEnded(
                        ctx.store(),
                        id,
                        s -> s == ExecutionState.FAILED || s == ExecutionState.CANCELLED,
                        ctx.options().workerId());
            }
        });
    }

    /**
     * Cancels the unfinished children (and theirs) of execution {@code id}, which ended failed or
     * cancelled, while its state is still one {@code stillEnded} accepts: a parent retried by hand
     * meanwhile keeps its children. The reason names the parent and how it ended, which is how
     * {@link #cancelledWithParent} recognises such a cancel. A failure is logged; an operator's
     * cancel of the parent reaches them again.
     */
    static void cancelChildrenOfEnded(
            ExecutionStore store, long id, java.util.function.Predicate<ExecutionState> stillEnded, String by) {
        try {
            store.executionGet(id)
                    .filter(v -> stillEnded.test(v.state()))
                    .ifPresent(v -> cancelChildren(
                            store,
                            v,
                            parentEnded(id) + (v.state() == ExecutionState.FAILED ? "failed" : "was cancelled"),
                            by));
        } catch (RuntimeException e) {
            log.warn("execution_id={} cannot cancel the children of the ended execution: {}", id, e.toString());
        }
    }

    /**
     * What the maintenance leader does with each failed execution its sweep finds (see {@link
     * Maintainer}): when its workflow has sub-workflow nodes, the children it left unfinished are
     * cancelled as {@link #cancelChildrenOfEnded} would have right after the failure was written.
     * This catches what that missed: a worker that died between writing the failure and cancelling,
     * and failures written before the workflow ran. Whether a workflow has such nodes is read from
     * its definition once per workflow version. Children already cancelled are gone into too, so a
     * cancel cut short between a child and its own children is finished. Throws when the store
     * fails, so the walk stops there and comes back to the same execution.
     */
    static Consumer<MaintenanceStore.FailedExecution> cancelsChildrenOfFailed(PoolContext ctx) {
        Map<String, Boolean> known = new ConcurrentHashMap<>();
        java.util.function.Predicate<String> startsChildren = hash -> {
            Boolean starts = known.get(hash);
            if (starts == null) {
                starts = ctx.store()
                        .workflowGet(hash)
                        .map(d -> startsChildren(d.definitionJson()))
                        .orElse(false);
                if (known.size() >= 10_000) {
                    known.clear();
                }
                known.put(hash, starts);
            }
            return starts;
        };
        return failed -> {
            if (!startsChildren.test(failed.workflowHash())) {
                return;
            }
            ExecutionStore store = ctx.store();
            Optional<ExecutionView> parent =
                    store.executionGet(failed.id()).filter(v -> v.state() == ExecutionState.FAILED);
            if (parent.isEmpty()) {
                return;
            }
            int n = cancelDescendants(
                    store,
                    parent.get(),
                    parentEnded(failed.id()) + "failed",
                    ctx.options().workerId(),
                    startsChildren);
            if (n > 0) {
                log.info(
                        "execution_id={} cancelled or asked to stop children the failed execution had left"
                                + " unfinished count={}",
                        failed.id(),
                        n);
            }
        };
    }

    /**
     * As {@link #cancelChildren(ExecutionStore, ExecutionView, String, String)}, also going down into
     * children already cancelled whose workflow starts children of its own ({@code startsChildren}
     * by workflow hash): a cancel cut short between a child and its children, by a crash or a store
     * failure, is finished there. Returns how many children it cancelled or asked to stop.
     */
    private static int cancelDescendants(
            ExecutionStore store,
            ExecutionView parent,
            String reason,
            String by,
            java.util.function.Predicate<String> startsChildren) {
        int cancelled = 0;
        for (Child c : children(store, parent)) {
            ExecutionView v = c.execution();
            if (!v.state().isTerminal()) {
                CancelResult r = cancel(store, v.id(), reason, by);
                if (r == CancelResult.CANCELLED || r == CancelResult.REQUESTED) {
                    cancelled++;
                }
            } else if (v.state() == ExecutionState.CANCELLED && startsChildren.test(v.workflowHash())) {
                cancelled += cancelDescendants(store, v, parentEnded(v.id()) + "was cancelled", by, startsChildren);
            }
        }
        return cancelled;
    }

    /** Whether a workflow definition (its JSON) has a sub-workflow node. */
    static boolean startsChildren(String definitionJson) {
        try {
            for (JsonNode n : JSON.readTree(definitionJson).path("nodes")) {
                if (n.path("workflow").isString()) {
                    return true;
                }
            }
            return false;
        } catch (JacksonException e) {
            return false;
        }
    }

    /** The start of the reason of a cancel that a parent's end asked of its children. */
    private static String parentEnded(long parentId) {
        return "parent execution " + parentId + " ";
    }

    /**
     * Whether execution {@code childId} is cancelled and the cancel was asked for because parent
     * {@code parentId} ended: its latest {@code cancelled} transition names the parent, or, when
     * that transition was a running execution acknowledging a request, the request of the same
     * lease epoch does.
     */
    static boolean cancelledWithParent(ExecutionStore store, long childId, long parentId) {
        Optional<ExecutionView> v = store.executionGet(childId);
        if (v.isEmpty() || v.get().state() != ExecutionState.CANCELLED) {
            return false;
        }
        List<HistoryEntry> history = store.historyList(childId);
        int last = history.size() - 1;
        while (last >= 0 && !"cancelled".equals(history.get(last).event())) {
            last--;
        }
        if (last < 0) {
            return false;
        }
        HistoryEntry cancelled = history.get(last);
        if (namesParent(cancelled, parentId)) {
            return true;
        }
        if (!"running".equals(cancelled.fromState())) {
            return false;
        }
        for (int i = last - 1; i >= 0; i--) {
            HistoryEntry h = history.get(i);
            if ("cancel_requested".equals(h.event()) && h.leaseEpoch() == cancelled.leaseEpoch()) {
                return namesParent(h, parentId);
            }
        }
        return false;
    }

    private static boolean namesParent(HistoryEntry h, long parentId) {
        return h.detail() != null && h.detail().startsWith(parentEnded(parentId));
    }

    /** As {@link #cancelChildren(ExecutionStore, ExecutionView, String)}, with the cancel's reason. */
    public static void cancelChildren(ExecutionStore store, ExecutionView parent, String reason, String by) {
        cancelDescendants(store, parent, reason, by, hash -> false);
    }

    /**
     * Retries a failed or cancelled execution, then each child of it that failed or was cancelled
     * (and theirs), so the parent's sub-workflow node finds its child running again instead of
     * failing on the old result. A child that succeeded is kept: its output is used again. The
     * children of a map's items are not retried: the map starts a new child for each item whose
     * child failed, at most {@code max_parallel} at a time.
     *
     * @return what the retry did to the execution asked for
     */
    public static RetryResult retry(ExecutionStore store, long id, boolean fromScratch, String by) {
        Optional<ExecutionView> v = store.executionGet(id);
        if (v.isPresent() && replaced(store, v.get())) {
            return RetryResult.SUPERSEDED;
        }
        if (v.isPresent()
                && (v.get().state() == ExecutionState.FAILED || v.get().state() == ExecutionState.CANCELLED)) {
            // Children first: a parent claimed at once must not find its child still failed. A map's
            // items are left to the map, which starts new children for those whose child failed.
            for (Child c : children(store, v.get())) {
                ExecutionState s = c.execution().state();
                if (MapItems.nodeOf(c.nodeId()) == null
                        && (s == ExecutionState.FAILED || s == ExecutionState.CANCELLED)) {
                    retry(store, c.execution().id(), fromScratch, by);
                }
            }
        }
        return store.executionRetry(id, fromScratch, by);
    }
}
