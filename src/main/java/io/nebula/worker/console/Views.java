package io.nebula.worker.console;

import io.nebula.worker.inspect.ExecutionFacts;
import io.nebula.worker.inspect.Explainer;
import io.nebula.worker.inspect.Explanation;
import io.nebula.worker.inspect.HumanTime;
import io.nebula.worker.inspect.MapProgress;
import io.nebula.worker.inspect.NodeLine;
import io.nebula.worker.inspect.Timeline;
import io.nebula.worker.inspect.WaitText;
import io.nebula.worker.json.Json;
import io.nebula.worker.pool.SubWorkflows;
import io.nebula.worker.queue.ExecutionCursor;
import io.nebula.worker.queue.ExecutionPage;
import io.nebula.worker.queue.ExecutionQuery;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionSummary;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.KnownQueue;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.QueueStats;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.queue.SignalView;
import io.nebula.worker.queue.ThroughputBucket;
import io.nebula.worker.queue.WorkerInfo;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.WorkflowSummary;
import io.nebula.worker.workflow.Workflows;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the store for each page and turns what it finds into {@link Pages} records. Every read is
 * a store call with a bounded cost: capped counts, keyset pages, lookups by key.
 */
final class Views {
    /** Counts on the overview stop here and are shown as lower bounds. */
    static final long OVERVIEW_CAP = 100_000;
    /** Minutes of throughput on the overview. */
    static final int CHART_MINUTES = 15;
    /** Finished executions counted per minute and chart. */
    static final long CHART_CAP_PER_MINUTE = 10_000;
    /** Rows per page of the executions list. */
    static final int PAGE_SIZE = 50;

    private static final Duration CHART_MAX_AGE = Duration.ofSeconds(5);
    private static final JsonMapper JSON = Json.MAPPER;

    private final ExecutionStore store;
    private final Workflows workflows;
    private final Duration liveWithin;
    private final AtomicReference<Throughput> throughput = new AtomicReference<>();

    private record Throughput(long readAtNanos, List<ThroughputBucket> buckets) {}

    /**
     * @param workflows compiles stored definitions to resolve node parameters
     * @param liveWithin a worker whose last heartbeat is at most this old counts as live
     */
    Views(ExecutionStore store, Workflows workflows, Duration liveWithin) {
        this.store = store;
        this.workflows = workflows;
        this.liveWithin = liveWithin;
    }

    // ---- overview ------------------------------------------------------------------------------

    Pages.OverviewLive overview() {
        List<QueueStats> stats = store.queueOverview(OVERVIEW_CAP);
        Map<String, Long> failed = store.queueFailedRecently(Duration.ofHours(1), OVERVIEW_CAP);
        List<ThroughputBucket> buckets = throughput();
        List<WorkerInfo> workers = store.workerList(liveWithin);
        Map<String, Integer> limits = KnownQueue.limits(store.queueList());
        Instant now = stats.isEmpty() ? store.databaseNow() : stats.get(0).computedAt();
        Instant firstMinute = now.truncatedTo(ChronoUnit.MINUTES).minus(CHART_MINUTES - 1, ChronoUnit.MINUTES);

        TreeSet<String> names = new TreeSet<>();
        stats.forEach(s -> names.add(s.queue()));
        names.addAll(failed.keySet());
        buckets.forEach(b -> names.add(b.queue()));
        workers.forEach(w -> names.addAll(w.queues()));
        Map<String, QueueStats> byName = new HashMap<>();
        stats.forEach(s -> byName.put(s.queue(), s));

        boolean capped = stats.stream().anyMatch(QueueStats::capped)
                || failed.values().stream().mapToLong(Long::longValue).sum() >= OVERVIEW_CAP;
        List<Pages.QueueRow> rows = new ArrayList<>();
        for (String q : names) {
            QueueStats s = byName.get(q);
            long available = s == null ? 0 : s.count(ExecutionState.AVAILABLE);
            long due = s == null ? 0 : s.dueAvailable();
            List<ThroughputBucket> mine =
                    buckets.stream().filter(b -> b.queue().equals(q)).toList();
            rows.add(new Pages.QueueRow(
                    q,
                    s != null && s.paused(),
                    workers.stream().anyMatch(w -> w.queues().contains(q)),
                    due,
                    Math.max(0, available - due),
                    s == null ? 0 : s.count(ExecutionState.RUNNING),
                    limits.get(q),
                    failed.getOrDefault(q, 0L),
                    s == null ? 0 : s.finishedLastMinute(),
                    s == null || due == 0 ? "-" : HumanTime.duration(s.oldestDueAge()),
                    Charts.minutes(mine, firstMinute, CHART_MINUTES),
                    Links.executions(Map.of("queue", q)),
                    Links.executions(Map.of("queue", q, "state", "failed")),
                    Links.pause(q),
                    Links.resume(q)));
        }
        List<Pages.WorkerRow> workerRows = workers.stream()
                .map(w -> new Pages.WorkerRow(
                        w.workerId(),
                        w.host(),
                        w.pid(),
                        w.version(),
                        w.active(),
                        w.concurrency(),
                        w.concurrency() == 0 ? 0 : Math.min(100, 100 * w.active() / w.concurrency()),
                        String.join(", ", w.queues()),
                        w.lastSeenAt() == null ? "-" : HumanTime.relative(w.lastSeenAt(), now),
                        HumanTime.instant(w.startedAt())))
                .toList();
        return new Pages.OverviewLive(
                rows,
                workerRows,
                HumanTime.instant(now),
                capped,
                minuteLabel(firstMinute),
                minuteLabel(now.truncatedTo(ChronoUnit.MINUTES)));
    }

    private List<ThroughputBucket> throughput() {
        Throughput t = throughput.get();
        if (t == null || System.nanoTime() - t.readAtNanos() > CHART_MAX_AGE.toNanos()) {
            t = new Throughput(System.nanoTime(), store.queueThroughput(CHART_MINUTES, CHART_CAP_PER_MINUTE));
            throughput.set(t);
        }
        return t.buckets();
    }

    private static String minuteLabel(Instant minute) {
        return minute.toString().substring(11, 16);
    }

    // ---- executions ----------------------------------------------------------------------------

    /** The filters of the list as given in a request, checked. */
    record ListRequest(Pages.Filters filters, ExecutionQuery query, String problem) {}

    static ListRequest listRequest(Map<String, String> params, Instant now) {
        String state = trim(params.get("state"));
        String workflow = trim(params.get("workflow"));
        String hash = trim(params.get("hash"));
        String queue = trim(params.get("queue"));
        String from = trim(params.get("from"));
        String until = trim(params.get("until"));
        Pages.Filters filters = new Pages.Filters(state, workflow, hash, queue, from, until);
        ExecutionQuery q = ExecutionQuery.newest(PAGE_SIZE);
        try {
            if (state != null) {
                q = q.withState(ExecutionState.parse(state));
            }
            q = q.withWorkflow(workflow, hash).withQueue(queue);
            q = q.withCreated(TimeText.parse("from", from, now), TimeText.parse("until", until, now));
            String after = trim(params.get("after"));
            if (after != null) {
                q = q.withAfter(ExecutionCursor.parse(after));
            }
            return new ListRequest(filters, q, null);
        } catch (IllegalArgumentException e) {
            return new ListRequest(filters, null, e.getMessage());
        }
    }

    Pages.ExecutionsLive executions(ListRequest request, Map<String, String> params) {
        if (request.query() == null) {
            return new Pages.ExecutionsLive(List.of(), null, "/executions", null, null, request.problem());
        }
        ExecutionPage page = store.executionPage(request.query());
        Instant now = store.databaseNow();
        Set<String> paused = Set.copyOf(store.queuePausedList());
        List<Pages.ExecutionRow> rows =
                page.rows().stream().map(e -> row(e, now, paused)).toList();
        Map<String, String> same = new LinkedHashMap<>(params);
        same.remove("after");
        String next = null;
        if (page.next() != null) {
            Map<String, String> n = new LinkedHashMap<>(same);
            n.put("after", page.next().token());
            next = Links.executions(n);
        }
        String note = page.searchLimited()
                ? "Searched " + page.scanned() + " of the most recent executions of this slice; no index serves"
                        + " this combination of filters, so a page reads at most " + ExecutionQuery.SCAN_BUDGET
                        + " rows of each index it merges. Continue the search with \"Older\"."
                : null;
        String first = Links.executions(same);
        String refresh =
                request.query().after() == null ? "/executions/live" + first.substring("/executions".length()) : null;
        return new Pages.ExecutionsLive(rows, refresh, first, next, note, null);
    }

    static Pages.ExecutionRow row(ExecutionSummary e, Instant now, Set<String> pausedQueues) {
        String took = e.startedAt() != null && e.finishedAt() != null
                ? HumanTime.duration(Duration.between(e.startedAt(), e.finishedAt()))
                : e.startedAt() != null && e.state() == ExecutionState.RUNNING
                        ? HumanTime.duration(Duration.between(e.startedAt(), now)) + " so far"
                        : "-";
        return new Pages.ExecutionRow(
                e.id(),
                Links.execution(e.id()),
                e.workflowName(),
                e.queue(),
                e.state().dbName(),
                e.cancelRequested(),
                e.attempt() + "/" + e.maxAttempts(),
                HumanTime.instant(e.createdAt()),
                HumanTime.relative(e.createdAt(), now),
                took,
                switch (e.state()) {
                    case AVAILABLE -> WaitText.of(e.runAt(), e.awaitingSignal(), now, pausedQueues.contains(e.queue()));
                    case RUNNING ->
                        (e.leaseOwner() == null ? "" : "on " + e.leaseOwner())
                                + (e.cancelRequested() ? " (cancel requested)" : "");
                    case SUCCEEDED -> "";
                    case FAILED, CANCELLED -> e.error() == null ? "" : e.error();
                });
    }

    /** The execution with this id, or with this idempotency key. */
    Optional<Long> find(String text) {
        String t = text.strip();
        if (t.matches("[0-9]{1,18}")) {
            long id = Long.parseLong(t);
            if (store.executionGet(id).isPresent()) {
                return Optional.of(id);
            }
        }
        return store.executionGetByKey(t).map(ExecutionView::id);
    }

    // ---- one execution -------------------------------------------------------------------------

    Optional<Pages.ExecutionLive> execution(long id) {
        Optional<ExecutionFacts> read = ExecutionFacts.read(store, id, liveWithin);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        ExecutionFacts facts = read.get();
        ExecutionView v = facts.execution();
        String definition = store.workflowGet(v.workflowHash())
                .map(WorkflowDocument::definitionJson)
                .orElse(null);
        List<NodeResult> results = store.nodeResultList(id);
        Explanation why = Explainer.explain(facts);
        Instant now = v.now();
        List<NodeLine> lines = NodeLine.of(definition, results);
        Map<String, String> status = nodeStatuses(v, definition, lines);

        List<Pages.NodeRow> nodes = new ArrayList<>();
        for (NodeLine n : lines) {
            NodeResult r = n.result();
            nodes.add(new Pages.NodeRow(
                    n.nodeId(),
                    n.action(),
                    status.get(n.nodeId()),
                    r == null ? "-" : Integer.toString(r.attempt()),
                    tryOf(r),
                    duration(r),
                    r == null ? "-" : HumanTime.instant(r.finishedAt()),
                    Links.node(id, n.nodeId())));
        }
        List<Pages.HistoryRow> history = new ArrayList<>();
        // The failed tries of the execution's nodes (not of map items) in place, as `executions show` has them.
        for (HistoryEntry h : Timeline.of(
                facts.history(),
                results.stream().filter(r -> !MapProgress.isItemRow(r)).toList())) {
            history.add(new Pages.HistoryRow(
                    HumanTime.instant(h.at()),
                    h.event(),
                    (h.fromState() == null ? "" : h.fromState() + " → ") + h.toState(),
                    Integer.toString(h.attempt()),
                    h.workerId() == null ? "" : h.workerId(),
                    h.detail() == null ? "" : h.detail()));
        }
        String lease = v.leaseOwner() == null
                ? "-"
                : (v.state() == ExecutionState.RUNNING && v.leaseExpiresAt() != null
                                ? "held by " + v.leaseOwner() + " until "
                                        + HumanTime.instantAndRelative(v.leaseExpiresAt(), now)
                                : "last held by " + v.leaseOwner())
                        + " (epoch " + v.leaseEpoch() + ")";
        boolean finished = v.state().isTerminal();
        boolean retryable = v.state() == ExecutionState.FAILED || v.state() == ExecutionState.CANCELLED;
        boolean cancellable = !finished && !v.cancelRequested();
        return Optional.of(new Pages.ExecutionLive(
                id,
                Links.execution(id),
                v.workflowName(),
                Links.workflow(v.workflowHash()),
                v.workflowHash(),
                v.queue(),
                v.state().dbName(),
                v.cancelRequested(),
                v.attempt() + " of " + v.maxAttempts() + (v.deaths() > 0 ? ", worker deaths: " + v.deaths() : ""),
                v.priority(),
                HumanTime.instantAndRelative(v.createdAt(), now),
                HumanTime.instantAndRelative(v.runAt(), now),
                HumanTime.instantAndRelative(v.startedAt(), now),
                v.finishedAt() == null
                        ? "-"
                        : HumanTime.instantAndRelative(v.finishedAt(), now)
                                + (v.startedAt() == null
                                        ? ""
                                        : ", " + HumanTime.duration(Duration.between(v.startedAt(), v.finishedAt()))
                                                + " after start"),
                lease,
                v.idempotencyKey(),
                JsonText.pretty(v.inputJson()),
                JsonText.pretty(v.outputJson()),
                v.lastError(),
                why.summary(),
                why.notes(),
                why.hint(),
                dag(id, definition, status, lines),
                nodes,
                history,
                finished ? null : Links.executionLive(id),
                retryable ? Links.retry(id, false) : null,
                retryable ? Links.retry(id, true) : null,
                cancellable ? Links.cancel(id) : null,
                parent(v),
                children(v),
                finished ? List.of() : waitedSignals(id, facts.signals())));
    }

    /**
     * The signals a node of the execution waits for, has not received and has not given up on (a
     * wait whose timeout passed is over, though its node has not run again yet), in the order read.
     */
    static List<Pages.SignalLink> waitedSignals(long id, List<SignalView> signals) {
        return signals.stream()
                .filter(s -> s.nodeId() != null && s.waitingSince() != null && !s.received() && !s.timedOut())
                .map(s -> new Pages.SignalLink(s.name(), s.nodeId(), Links.signal(id, s.name())))
                .toList();
    }

    /** The execution whose sub-workflow node started {@code v}, or {@code null}. */
    private Pages.Related parent(ExecutionView v) {
        return SubWorkflows.parent(v)
                .map(p -> new Pages.Related(
                        p.executionId(),
                        "execution " + p.executionId() + ", node '" + p.nodeId() + "'",
                        Links.execution(p.executionId()),
                        store.executionGet(p.executionId())
                                .map(e -> e.state().dbName())
                                .orElse("gone")))
                .orElse(null);
    }

    /** Children listed at most (a map over a workflow node has one per item). */
    private static final int CHILDREN_SHOWN = 100;

    /**
     * The executions the sub-workflow nodes of {@code v} started, in definition order (the first
     * {@link #CHILDREN_SHOWN}; a map's items each at its latest child).
     */
    private List<Pages.Related> children(ExecutionView v) {
        List<Pages.Related> out = new ArrayList<>();
        for (SubWorkflows.Child c : SubWorkflows.children(store, v, CHILDREN_SHOWN)) {
            long childId = c.execution().id();
            out.add(new Pages.Related(
                    childId,
                    "execution " + childId + ", node '" + c.nodeId() + "'",
                    Links.execution(childId),
                    c.execution().state().dbName()));
        }
        return out;
    }

    /**
     * Each node's status for drawing: its recorded status, or, while the execution runs, {@code
     * running} for a node whose dependencies have all finished (the runtime starts such a node at
     * once), else {@code pending}.
     */
    private static Map<String, String> nodeStatuses(ExecutionView v, String definition, List<NodeLine> lines) {
        Map<String, NodeResult> results = new HashMap<>();
        lines.forEach(l -> {
            if (l.result() != null) {
                results.put(l.nodeId(), l.result());
            }
        });
        Map<String, List<String>> deps = dependencies(definition);
        Map<String, String> out = new LinkedHashMap<>();
        for (NodeLine l : lines) {
            String s = l.status();
            if (l.result() == null && v.state() == ExecutionState.RUNNING) {
                boolean ready = deps.getOrDefault(l.nodeId(), List.of()).stream()
                        .allMatch(d -> results.containsKey(d) && results.get(d).status() != NodeStatus.FAILED);
                s = ready ? "running" : "pending";
            }
            out.put(l.nodeId(), s);
        }
        return out;
    }

    /** The graph drawn with each node's status; {@code id} 0 draws it without links to nodes. */
    private static Pages.Dag dag(long id, String definition, Map<String, String> status, List<NodeLine> lines) {
        Map<String, List<String>> deps = dependencies(definition);
        List<DagLayout.Input> inputs = lines.stream()
                .map(l -> new DagLayout.Input(l.nodeId(), deps.getOrDefault(l.nodeId(), List.of())))
                .toList();
        DagLayout.Layout layout = DagLayout.of(inputs);
        Map<String, NodeLine> byId = new HashMap<>();
        lines.forEach(l -> byId.put(l.nodeId(), l));
        List<Pages.DagNode> nodes = new ArrayList<>();
        for (DagLayout.Placed p : layout.nodes()) {
            NodeLine l = byId.get(p.id());
            String st = status.get(p.id());
            NodeResult r = l.result();
            String detail =
                    r == null ? st : st + (r.lastTry() > 0 ? " · try " + r.lastTry() : "") + " · " + duration(r);
            nodes.add(new Pages.DagNode(
                    p.id(),
                    shorten(p.id(), 22),
                    shorten(l.action(), 18),
                    st,
                    detail,
                    p.x(),
                    p.y(),
                    DagLayout.NODE_WIDTH,
                    DagLayout.NODE_HEIGHT,
                    p.x() + 10,
                    p.y() + 20,
                    p.y() + 38,
                    id == 0 ? null : Links.node(id, p.id())));
        }
        List<Pages.DagEdge> edges = layout.edges().stream()
                .map(e -> new Pages.DagEdge(e.path(), status.getOrDefault(e.from(), "pending")))
                .toList();
        return new Pages.Dag(layout.width(), layout.height(), nodes, edges);
    }

    /** Direct dependencies per node, from the stored canonical definition. */
    static Map<String, List<String>> dependencies(String definition) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (definition == null) {
            return out;
        }
        try {
            for (JsonNode n : JSON.readTree(definition).path("nodes")) {
                List<String> d = new ArrayList<>();
                n.path("depends_on").forEach(x -> d.add(x.asString()));
                out.put(n.path("id").asString(), d);
            }
        } catch (JacksonException e) {
            return out;
        }
        return out;
    }

    Optional<Pages.NodePanel> node(long id, String nodeId) {
        Optional<ExecutionView> read = store.executionGet(id);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        ExecutionView v = read.get();
        String definition = store.workflowGet(v.workflowHash())
                .map(WorkflowDocument::definitionJson)
                .orElse(null);
        List<NodeResult> results = store.nodeResultList(id);
        List<NodeLine> lines = NodeLine.of(definition, results);
        Optional<NodeLine> line =
                lines.stream().filter(l -> l.nodeId().equals(nodeId)).findFirst();
        if (line.isEmpty()) {
            return Optional.empty();
        }
        Map<String, NodeResult> byId = new HashMap<>();
        results.forEach(r -> byId.put(r.nodeId(), r));
        NodeParameters.Shown params = NodeParameters.of(
                workflows, v.workflowHash(), definition, nodeId, id, v.attempt(), v.inputJson(), byId);
        NodeResult r = line.get().result();
        return Optional.of(new Pages.NodePanel(
                id,
                nodeId,
                line.get().action(),
                nodeStatuses(v, definition, lines).get(nodeId),
                r == null ? "-" : Integer.toString(r.attempt()),
                tryOf(r),
                duration(r),
                r == null ? "-" : HumanTime.instant(r.startedAt()),
                r == null ? "-" : HumanTime.instant(r.finishedAt()),
                params.json(),
                params.note(),
                r == null ? null : JsonText.pretty(r.outputJson()),
                r == null ? null : r.error()));
    }

    /** The try on which a node ended in its last attempt, "-" when it never ran. */
    private static String tryOf(NodeResult r) {
        return r == null || r.lastTry() == 0 ? "-" : Integer.toString(r.lastTry());
    }

    // ---- workflows -----------------------------------------------------------------------------

    List<Pages.WorkflowRow> workflows(String afterName, String afterHash, int limit) {
        List<Pages.WorkflowRow> rows = new ArrayList<>();
        for (WorkflowSummary w : store.workflowList(afterName, afterHash, limit)) {
            rows.add(new Pages.WorkflowRow(
                    w.name(),
                    w.hash(),
                    shortHash(w.hash()),
                    HumanTime.instant(w.createdAt()),
                    Links.workflow(w.hash()),
                    Links.executions(Map.of("workflow", w.name(), "hash", w.hash()))));
        }
        return rows;
    }

    /** Every stored schedule, by name, its times read against the database clock. */
    List<Pages.ScheduleRow> schedules() {
        List<Pages.ScheduleRow> rows = new ArrayList<>();
        for (Schedule s : store.scheduleList()) {
            Instant now = s.now() == null ? store.databaseNow() : s.now();
            rows.add(new Pages.ScheduleRow(
                    s.name(),
                    s.workflowName(),
                    Links.workflow(s.workflowHash()),
                    s.cron(),
                    s.timezone(),
                    s.queue(),
                    s.paused(),
                    s.paused() ? "-" : HumanTime.instantAndRelative(s.nextFireAt(), now),
                    s.lastFireAt() == null ? "never" : HumanTime.instantAndRelative(s.lastFireAt(), now),
                    s.lastExecutionId() == null ? "-" : Long.toString(s.lastExecutionId()),
                    s.lastExecutionId() == null ? null : Links.execution(s.lastExecutionId()),
                    "overlap " + s.overlap().dbName() + ", catch up " + s.catchUp(),
                    Links.schedulePause(s.name(), !s.paused())));
        }
        return rows;
    }

    /** One definition: name, source and its most recent executions. */
    record WorkflowDetail(String name, String hash, String source, Pages.Dag dag, List<Pages.ExecutionRow> recent) {}

    Optional<WorkflowDetail> workflow(String hash) {
        Optional<WorkflowDocument> doc = store.workflowGet(hash);
        if (doc.isEmpty()) {
            return Optional.empty();
        }
        WorkflowDocument d = doc.get();
        ExecutionPage page = store.executionPage(ExecutionQuery.newest(10).withWorkflow(d.name(), d.hash()));
        Instant now = store.databaseNow();
        Set<String> paused = Set.copyOf(store.queuePausedList());
        Map<String, List<String>> deps = dependencies(d.definitionJson());
        List<NodeLine> lines = NodeLine.of(d.definitionJson(), List.of());
        Map<String, String> status = new HashMap<>();
        lines.forEach(l -> status.put(l.nodeId(), "pending"));
        return Optional.of(new WorkflowDetail(
                d.name(),
                d.hash(),
                JsonText.pretty(d.definitionJson()),
                deps.isEmpty() ? null : dag(0, d.definitionJson(), status, lines),
                page.rows().stream().map(e -> row(e, now, paused)).toList()));
    }

    // ---- helpers -------------------------------------------------------------------------------

    static String duration(NodeResult r) {
        return r == null || r.startedAt() == null || r.finishedAt() == null
                ? "-"
                : HumanTime.duration(Duration.between(r.startedAt(), r.finishedAt()));
    }

    static String shortHash(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) : hash;
    }

    static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static String trim(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
