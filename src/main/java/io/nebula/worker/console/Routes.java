package io.nebula.worker.console;

import com.sun.net.httpserver.HttpExchange;
import io.nebula.worker.pool.BulkRetry;
import io.nebula.worker.pool.SubWorkflows;
import io.nebula.worker.queue.CancelResult;
import io.nebula.worker.queue.ExecutionQuery;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.RetryResult;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.queue.SignalDelivery;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.SubmitRejectedException;
import io.nebula.worker.schedule.Schedules;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every URL of the console. Pages are GETs that only read; every action is a POST with the CSRF
 * token, reached from a confirmation page that says what it will do, and writes through the same
 * store calls as the command line ({@code executions retry}, {@code executions cancel}, {@code
 * queues pause}, {@code queues resume}, {@code schedules pause}, {@code schedules resume}).
 */
final class Routes {
    private static final Logger log = LoggerFactory.getLogger(Routes.class);

    /** Limits what any page may load: scripts, styles and images from the console itself only. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static final Pattern EXECUTION =
            Pattern.compile("/executions/([0-9]{1,18})(/live|/node|/retry|/cancel|/signal)?");
    private static final Map<String, String> NOTICES = Map.of(
            "requeued", "Queued again; nodes that succeeded are kept.",
            "requeued_from_scratch", "Queued again from scratch: every node runs again.",
            "cancelled", "Cancelled.",
            "cancel_requested", "Cancel requested: its worker stops it at its next heartbeat.",
            "signal_delivered", "Signal delivered: the node that waited for it runs on.",
            "paused", "Queue paused: workers claim nothing new from it; running executions finish.",
            "resumed", "Queue resumed: workers claim from it again.",
            "schedule_paused", "Schedule paused: it fires nothing until it is resumed.",
            "schedule_resumed", "Schedule resumed: it fires next at its first time after now.");

    private final ExecutionStore store;
    private final Views views;
    private final Guard guard;
    private final String storeLabel;
    private final String version;
    private final StaticFiles files;

    Routes(ExecutionStore store, Views views, Guard guard, String storeLabel, String version, StaticFiles files) {
        this.store = store;
        this.views = views;
        this.guard = guard;
        this.storeLabel = storeLabel;
        this.version = version;
        this.files = files;
    }

    void handle(HttpExchange ex) {
        long start = System.nanoTime();
        int status = 500;
        try (ex) {
            Request r;
            try {
                r = Request.read(ex);
            } catch (IllegalArgumentException e) {
                status = send(ex, 400, "text/plain; charset=utf-8", e.getMessage() + "\n");
                return;
            }
            status = route(r);
        } catch (IOException e) {
            log.debug("console response not sent error={}", e.toString());
        } catch (RuntimeException e) {
            log.warn(
                    "console request failed path={} error={}",
                    ex.getRequestURI().getPath(),
                    e.toString());
            try {
                status = send(ex, 500, "text/plain; charset=utf-8", "The console failed to answer: " + e + "\n");
            } catch (IOException | RuntimeException sendFailed) {
                // The answer had begun, or the connection is gone: nothing more to send.
            }
        } finally {
            log.debug(
                    "console request method={} path={} status={} ms={}",
                    ex.getRequestMethod(),
                    ex.getRequestURI().getPath(),
                    status,
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    private int route(Request r) throws IOException {
        String hostProblem = guard.hostProblem(r);
        if (hostProblem != null) {
            return send(r.exchange(), 421, "text/plain; charset=utf-8", hostProblem + "\n");
        }
        String path = r.path();
        if (path.startsWith("/static/") || path.equals("/favicon.ico")) {
            return files.serve(r, this);
        }
        boolean get = r.method().equals("GET") || r.method().equals("HEAD");
        boolean post = r.method().equals("POST");
        if (!get && !post) {
            r.exchange().getResponseHeaders().set("Allow", "GET, HEAD, POST");
            return send(r.exchange(), 405, "text/plain; charset=utf-8", "method not allowed\n");
        }
        if (path.equals("/login")) {
            if (!guard.tokenRequired()) {
                return redirect(r, "/");
            }
            return post ? signIn(r) : page(r, 200, "login.jte", new Pages.Login(chrome(r, "Sign in", ""), "/", null));
        }
        if (!guard.signedIn(r)) {
            if (r.fromHtmx()) {
                r.exchange().getResponseHeaders().set("HX-Redirect", "/login");
            }
            String next = r.exchange().getRequestURI().getRawPath()
                    + (r.exchange().getRequestURI().getRawQuery() == null
                            ? ""
                            : "?" + r.exchange().getRequestURI().getRawQuery());
            return page(r, 401, "login.jte", new Pages.Login(chrome(r, "Sign in", ""), get ? next : "/", null));
        }
        if (post) {
            String problem = guard.postProblem(r);
            if (problem != null) {
                return error(r, 403, "Refused: " + problem + ".");
            }
        }
        try {
            return dispatch(r, path, post);
        } catch (StoreException e) {
            log.warn("console read failed path={} error={}", path, e.getMessage());
            return error(r, 503, schemaProblem().orElse("The database did not answer: " + e.getMessage()));
        }
    }

    private int dispatch(Request r, String path, boolean post) throws IOException {
        if (path.equals("/executions/retry")) {
            return post ? bulkRetry(r) : confirmBulkRetry(r);
        }
        if (post && path.equals("/logout")) {
            r.exchange().getResponseHeaders().add("Set-Cookie", Guard.signOutCookie());
            return redirect(r, "/login");
        }
        if (!post) {
            switch (path) {
                case "/":
                    return page(
                            r,
                            200,
                            "overview.jte",
                            new Pages.Overview(chrome(r, "Overview", "overview"), views.overview(), notice(r)));
                case "/overview/live":
                    return page(r, 200, "overview_live.jte", views.overview());
                case "/executions":
                    return executions(r, false);
                case "/executions/live":
                    return executions(r, true);
                case "/search":
                    return search(r);
                case "/workflows":
                    return workflows(r);
                case "/workflows/view":
                    return workflow(r);
                case "/schedules":
                    return page(
                            r,
                            200,
                            "schedules.jte",
                            new Pages.Schedules(chrome(r, "Schedules", "schedules"), views.schedules(), notice(r)));
                default:
                    break;
            }
        }
        if (path.equals("/queues/pause") || path.equals("/queues/resume")) {
            return queue(r, path.endsWith("pause"), post);
        }
        if (path.equals("/schedules/pause") || path.equals("/schedules/resume")) {
            return schedule(r, path.endsWith("pause"), post);
        }
        Matcher m = EXECUTION.matcher(path);
        if (m.matches()) {
            long id = Long.parseLong(m.group(1));
            String what = m.group(2) == null ? "" : m.group(2);
            if (post) {
                return switch (what) {
                    case "/retry" -> retry(r, id);
                    case "/cancel" -> cancel(r, id);
                    case "/signal" -> signal(r, id);
                    default -> error(r, 405, "Nothing to post here.");
                };
            }
            return switch (what) {
                case "" -> execution(r, id, false);
                case "/live" -> execution(r, id, true);
                case "/node" -> node(r, id);
                case "/retry" -> confirmRetry(r, id);
                case "/signal" -> signalForm(r, id, r.query().getOrDefault("name", ""), "{}", null, 200);
                default -> confirmCancel(r, id);
            };
        }
        return error(r, 404, "There is no page at this address.");
    }

    // ---- pages ---------------------------------------------------------------------------------

    private int executions(Request r, boolean live) throws IOException {
        Views.ListRequest req = Views.listRequest(r.query(), store.databaseNow());
        Map<String, String> params = new LinkedHashMap<>();
        for (String k : List.of("state", "workflow", "hash", "queue", "from", "until", "after")) {
            String v = r.query().get(k);
            if (v != null && !v.isBlank()) {
                params.put(k, v.strip());
            }
        }
        Pages.ExecutionsLive rows = views.executions(req, params);
        if (live) {
            return page(r, 200, "executions_live.jte", rows);
        }
        List<String> states = java.util.Arrays.stream(ExecutionState.values())
                .map(ExecutionState::dbName)
                .toList();
        String bulkRetry = null;
        if (req.query() != null && retryable(req.query().state())) {
            Map<String, String> filters = new LinkedHashMap<>(params);
            filters.remove("after");
            bulkRetry = Links.bulkRetry(filters);
        }
        return page(
                r,
                req.problem() == null ? 200 : 400,
                "executions.jte",
                new Pages.Executions(
                        chrome(r, "Executions", "executions"),
                        rows,
                        req.filters(),
                        states,
                        bulkRetry,
                        bulkNotice(r.query())));
    }

    private static boolean retryable(ExecutionState s) {
        return s == ExecutionState.FAILED || s == ExecutionState.CANCELLED;
    }

    /** The most executions one retry from the list queues again. */
    static final int BULK_RETRY_LIMIT = 1_000;

    /** The most rows one such retry, or its count, reads for filters no index serves. */
    static final long BULK_RETRY_SCAN = 10L * ExecutionQuery.SCAN_BUDGET;

    /** The filters of a bulk retry, with relative times fixed to instants so the POST means what was confirmed. */
    private int confirmBulkRetry(Request r) throws IOException {
        Instant now = store.databaseNow();
        Views.ListRequest req = Views.listRequest(r.query(), now);
        if (req.query() == null) {
            return error(r, 400, req.problem());
        }
        ExecutionQuery q = req.query();
        if (!retryable(q.state())) {
            return error(r, 400, "Choose the failed or the cancelled state: only those executions can be retried.");
        }
        BulkRetry.Result count = BulkRetry.retry(store, q, BULK_RETRY_LIMIT, BULK_RETRY_SCAN, false, "console", true);
        String what = q.state().dbName() + " execution" + (count.matched() == 1 ? "" : "s");
        if (count.matched() == 0) {
            return error(
                    r,
                    404,
                    count.more()
                            ? "No " + what + " match these filters among the " + BULK_RETRY_SCAN
                                    + " newest rows read; narrow the filters (a time range) to reach older ones."
                            : "No " + what + " match these filters (any more).");
        }
        List<Pages.Field> fields = new java.util.ArrayList<>();
        fields.add(new Pages.Field("state", q.state().dbName()));
        List<String> scope = new java.util.ArrayList<>();
        if (q.workflowName() != null) {
            fields.add(new Pages.Field("workflow", q.workflowName()));
            scope.add("of workflow '" + q.workflowName() + "'");
        }
        if (q.workflowHash() != null) {
            fields.add(new Pages.Field("hash", q.workflowHash()));
            scope.add("pinned to definition " + Views.shortHash(q.workflowHash()));
        }
        if (q.queue() != null) {
            fields.add(new Pages.Field("queue", q.queue()));
            scope.add("on queue '" + q.queue() + "'");
        }
        if (q.createdFrom() != null) {
            fields.add(new Pages.Field("from", q.createdFrom().toString()));
            scope.add("created from " + q.createdFrom());
        }
        // Bounded by the time of this page, so that the retry does not reach executions created after
        // what was counted here.
        Instant until = q.createdBefore() != null ? q.createdBefore() : now;
        fields.add(new Pages.Field("until", until.toString()));
        scope.add("created before " + until);
        // More may match than were counted: past the limit, or past the rows one count reads.
        String n = count.more() ? "the newest " + count.matched() : Integer.toString(count.matched());
        Map<String, String> back = new LinkedHashMap<>();
        fields.forEach(f -> back.put(f.name(), f.value()));
        return page(
                r,
                200,
                "confirm.jte",
                new Pages.Confirm(
                        chrome(r, "Retry " + what, "executions"),
                        "Retry " + n + " " + what + "?",
                        "Every " + q.state().dbName() + " execution"
                                + (scope.isEmpty() ? "" : " " + String.join(", ", scope))
                                + " runs again with a fresh attempt budget, newest first, at most "
                                + BULK_RETRY_LIMIT + " per retry"
                                + (count.more() ? " (more may match: retry again after)" : "")
                                + ". Nodes that succeeded are kept; failed or cancelled sub-workflow children"
                                + " are retried with their parents"
                                + (count.skipped() > 0
                                        ? " (" + count.skipped() + " of those counted are such children)"
                                        : "")
                                + ".",
                        "/executions/retry",
                        fields,
                        "Retry " + n + " " + what,
                        false,
                        Links.executions(back)));
    }

    private int bulkRetry(Request r) throws IOException {
        Views.ListRequest req = Views.listRequest(r.form(), store.databaseNow());
        if (req.query() == null) {
            return error(r, 400, req.problem());
        }
        if (!retryable(req.query().state())) {
            return error(r, 400, "Choose the failed or the cancelled state: only those executions can be retried.");
        }
        BulkRetry.Result done;
        boolean stopped = false;
        try {
            done = BulkRetry.retry(
                    store,
                    req.query(),
                    BULK_RETRY_LIMIT,
                    BULK_RETRY_SCAN,
                    false,
                    io.nebula.worker.config.WorkerIds.operator(),
                    false);
        } catch (BulkRetry.Stopped e) {
            done = e.done();
            stopped = true;
            log.warn(
                    "console action=bulk_retry stopped by a database error after requeued={}: {}",
                    done.requeued(),
                    e.getMessage());
        }
        log.info(
                "console action=bulk_retry state={} matched={} requeued={} skipped={} more={} stopped={}",
                req.query().state().dbName(),
                done.matched(),
                done.requeued(),
                done.skipped(),
                done.more(),
                stopped);
        Map<String, String> to = new LinkedHashMap<>();
        for (String k : List.of("state", "workflow", "hash", "queue", "from", "until")) {
            to.put(k, r.form().get(k));
        }
        to.put("requeued", Integer.toString(done.requeued()));
        to.put("skipped", Integer.toString(done.skipped()));
        // More may match: past this retry's count (another retry queues the next ones) or past the
        // rows it reads (narrower filters reach them).
        to.put("more", stopped ? "stopped" : !done.more() ? null : done.matched() >= BULK_RETRY_LIMIT ? "1" : "scan");
        return redirect(r, Links.executions(to));
    }

    /** What a bulk retry did, from the numbers its redirect carries; {@code null} when there are none. */
    static String bulkNotice(Map<String, String> query) {
        String requeued = query.get("requeued");
        if (requeued == null || !requeued.matches("[0-9]{1,6}")) {
            return null;
        }
        String skipped = query.getOrDefault("skipped", "0");
        int n = Integer.parseInt(requeued);
        StringBuilder b = new StringBuilder(
                "Queued again: " + n + " execution" + (n == 1 ? "" : "s") + "; nodes that succeeded are kept.");
        if (skipped.matches("[1-9][0-9]{0,5}")) {
            b.append(' ')
                    .append(skipped)
                    .append(" were left: they had changed state meanwhile, or their failed or cancelled parent"
                            + " retries them.");
        }
        if ("1".equals(query.get("more"))) {
            b.append(" More executions match: retry again to queue the next ")
                    .append(BULK_RETRY_LIMIT)
                    .append('.');
        } else if ("stopped".equals(query.get("more"))) {
            b.append(" Then the database failed (see the worker's log); retry again to queue the rest.");
        } else if ("scan".equals(query.get("more"))) {
            b.append(" The search stopped after reading ")
                    .append(BULK_RETRY_SCAN)
                    .append(" rows; narrow the filters (a time range) to reach older executions.");
        }
        return b.toString();
    }

    private int search(Request r) throws IOException {
        String q = r.query().getOrDefault("q", "").strip();
        if (q.isEmpty()) {
            return redirect(r, "/executions");
        }
        Optional<Long> id = views.find(q);
        if (id.isPresent()) {
            return redirect(r, Links.execution(id.get()));
        }
        return error(r, 404, "No execution has the id or idempotency key '" + q + "'.");
    }

    private int execution(Request r, long id, boolean live) throws IOException {
        Optional<Pages.ExecutionLive> e = views.execution(id);
        if (e.isEmpty()) {
            return error(r, 404, "There is no execution " + id + " (it may have been pruned).");
        }
        if (live) {
            return page(r, 200, "execution_live.jte", e.get());
        }
        return page(
                r,
                200,
                "execution.jte",
                new Pages.Execution(chrome(r, "Execution " + id, "executions"), e.get(), notice(r)));
    }

    private int node(Request r, long id) throws IOException {
        String nodeId = r.query().get("id");
        Optional<Pages.NodePanel> n = nodeId == null ? Optional.empty() : views.node(id, nodeId);
        if (n.isEmpty()) {
            return error(r, 404, "Execution " + id + " has no node '" + (nodeId == null ? "" : nodeId) + "'.");
        }
        if (r.fromHtmx()) {
            return page(r, 200, "node_panel.jte", n.get());
        }
        return page(
                r,
                200,
                "node.jte",
                new Pages.Node(chrome(r, "Node " + nodeId, "executions"), n.get(), Links.execution(id)));
    }

    private int workflows(Request r) throws IOException {
        String afterName = r.query().get("after_name");
        String afterHash = r.query().get("after_hash");
        int limit = Views.PAGE_SIZE;
        List<Pages.WorkflowRow> rows = views.workflows(afterName, afterHash, limit + 1);
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            Pages.WorkflowRow last = rows.get(limit - 1);
            next = "/workflows?after_name=" + Links.encode(last.name()) + "&after_hash=" + Links.encode(last.hash());
        }
        return page(r, 200, "workflows.jte", new Pages.Workflows(chrome(r, "Workflows", "workflows"), rows, next));
    }

    private int workflow(Request r) throws IOException {
        String hash = r.query().getOrDefault("hash", "");
        Optional<Views.WorkflowDetail> w = views.workflow(hash);
        if (w.isEmpty()) {
            return error(r, 404, "No stored workflow has the hash '" + hash + "'.");
        }
        Views.WorkflowDetail d = w.get();
        return page(
                r,
                200,
                "workflow.jte",
                new Pages.Workflow(
                        chrome(r, "Workflow " + d.name(), "workflows"),
                        d.name(),
                        d.hash(),
                        "",
                        d.source(),
                        d.dag(),
                        Links.executions(Map.of("workflow", d.name(), "hash", d.hash())),
                        d.recent()));
    }

    // ---- actions -------------------------------------------------------------------------------

    private int confirmRetry(Request r, long id) throws IOException {
        boolean fromScratch = "true".equals(r.query().get("from_scratch"));
        Optional<Pages.ExecutionLive> e = views.execution(id);
        if (e.isEmpty()) {
            return error(r, 404, "There is no execution " + id + ".");
        }
        String consequence = fromScratch
                ? "Execution " + id + " (" + e.get().workflow() + ", " + e.get().state() + ") is queued again with a"
                        + " fresh attempt budget. Every recorded node result is forgotten and every node runs again."
                : "Execution " + id + " (" + e.get().workflow() + ", " + e.get().state() + ") is queued again with a"
                        + " fresh attempt budget. Nodes that succeeded keep their results and do not run again.";
        return page(
                r,
                200,
                "confirm.jte",
                new Pages.Confirm(
                        chrome(r, "Retry execution " + id, "executions"),
                        fromScratch ? "Retry execution " + id + " from scratch?" : "Retry execution " + id + "?",
                        consequence,
                        Links.retry(id, false),
                        fromScratch ? List.of(new Pages.Field("from_scratch", "true")) : List.of(),
                        fromScratch ? "Retry from scratch" : "Retry",
                        fromScratch,
                        Links.execution(id)));
    }

    private int retry(Request r, long id) throws IOException {
        boolean fromScratch = "true".equals(r.form().get("from_scratch"));
        RetryResult result = SubWorkflows.retry(store, id, fromScratch, io.nebula.worker.config.WorkerIds.operator());
        log.info("console action=retry execution_id={} from_scratch={} result={}", id, fromScratch, result);
        return switch (result) {
            case REQUEUED ->
                redirect(r, Links.execution(id) + "?notice=" + (fromScratch ? "requeued_from_scratch" : "requeued"));
            case NOT_FOUND -> error(r, 404, "There is no execution " + id + ".");
            case SUPERSEDED -> error(r, 409, capitalized(SubWorkflows.superseded(store, id)) + ".");
            case NOT_RETRYABLE ->
                error(
                        r,
                        409,
                        "Execution " + id + " is "
                                + store.executionGet(id)
                                        .map(v -> v.state().dbName())
                                        .orElse("gone")
                                + "; only failed or cancelled executions can be retried.");
        };
    }

    private int confirmCancel(Request r, long id) throws IOException {
        Optional<Pages.ExecutionLive> e = views.execution(id);
        if (e.isEmpty()) {
            return error(r, 404, "There is no execution " + id + ".");
        }
        String consequence = e.get().state().equals("running")
                ? "Execution " + id + " (" + e.get().workflow() + ") is running: its worker stops it at its next"
                        + " heartbeat. Nodes already finished keep their results."
                : "Execution " + id + " (" + e.get().workflow() + ", " + e.get().state() + ") is cancelled at once"
                        + " and never runs.";
        return page(
                r,
                200,
                "confirm.jte",
                new Pages.Confirm(
                        chrome(r, "Cancel execution " + id, "executions"),
                        "Cancel execution " + id + "?",
                        consequence,
                        Links.cancel(id),
                        List.of(),
                        "Cancel execution",
                        true,
                        Links.execution(id)));
    }

    private int cancel(Request r, long id) throws IOException {
        CancelResult result = SubWorkflows.cancel(
                store, id, "cancelled from the console", io.nebula.worker.config.WorkerIds.operator());
        log.info("console action=cancel execution_id={} result={}", id, result);
        return switch (result) {
            case CANCELLED -> redirect(r, Links.execution(id) + "?notice=cancelled");
            case REQUESTED -> redirect(r, Links.execution(id) + "?notice=cancel_requested");
            case NOT_FOUND -> error(r, 404, "There is no execution " + id + ".");
            case ALREADY_FINISHED ->
                error(
                        r,
                        409,
                        "Execution " + id + " already finished ("
                                + store.executionGet(id)
                                        .map(v -> v.state().dbName())
                                        .orElse("gone") + "); nothing to cancel.");
        };
    }

    /**
     * The form that delivers a signal one of the execution's nodes waits for. Only such a signal is
     * offered: a name nothing waits for (a typo, a wait that ended) gets a page that says so.
     */
    private int signalForm(Request r, long id, String name, String data, String problem, int status)
            throws IOException {
        Optional<ExecutionView> e = store.executionGet(id);
        if (e.isEmpty()) {
            return error(r, 404, "There is no execution " + id + ".");
        }
        Optional<Pages.SignalLink> waited = waited(id, name);
        if (e.get().state().isTerminal() || waited.isEmpty()) {
            return error(
                    r,
                    409,
                    "No node of execution " + id + " (" + e.get().state().dbName() + ") waits for a signal named '"
                            + name + "' now; nothing to deliver.");
        }
        return page(
                r,
                status,
                "signal.jte",
                new Pages.SignalForm(
                        chrome(r, "Deliver signal " + name + " to execution " + id, "executions"),
                        id,
                        e.get().workflowName(),
                        name,
                        waited.get().nodeId(),
                        Links.signal(id, null),
                        data,
                        problem,
                        Links.execution(id)));
    }

    private Optional<Pages.SignalLink> waited(long id, String name) {
        return Views.waitedSignals(id, store.signalList(id)).stream()
                .filter(s -> s.name().equals(name))
                .findFirst();
    }

    private int signal(Request r, long id) throws IOException {
        String name = r.form().getOrDefault("name", "");
        String data = r.form().getOrDefault("data", "").strip();
        if (data.isEmpty()) {
            data = "{}";
        }
        if (store.executionGet(id).isEmpty()) {
            return error(r, 404, "There is no execution " + id + ".");
        }
        if (waited(id, name).isEmpty()) {
            return signalForm(r, id, name, data, null, 409);
        }
        SignalDelivery d;
        try {
            d = store.signalSend(id, name, data, io.nebula.worker.config.WorkerIds.operator());
        } catch (SubmitRejectedException ex) {
            return signalForm(r, id, name, data, ex.getMessage(), 400);
        }
        log.info("console action=signal execution_id={} signal={} result={}", id, name, d.outcome());
        return switch (d.outcome()) {
            case DELIVERED, DUPLICATE -> redirect(r, Links.execution(id) + "?notice=signal_delivered");
            case NOT_FOUND -> error(r, 404, "There is no execution " + id + ".");
            case FINISHED ->
                error(
                        r,
                        409,
                        "Execution " + id + " already finished (" + d.state().dbName() + "); signal '" + name
                                + "' was not delivered.");
        };
    }

    private int queue(Request r, boolean pause, boolean post) throws IOException {
        String queue = (post ? r.form() : r.query()).getOrDefault("queue", "").strip();
        if (queue.isEmpty()) {
            return error(r, 400, "Name a queue.");
        }
        // As the command line does without --force: a pause of a name no worker serves hits nothing,
        // and would leave that name among the known queues.
        java.util.TreeSet<String> known = new java.util.TreeSet<>();
        store.queueList().forEach(k -> known.add(k.name()));
        if (!known.contains(queue)) {
            // The overview also lists queues that only executions name.
            store.queueOverview(Views.OVERVIEW_CAP).forEach(q -> known.add(q.queue()));
        }
        if (!known.contains(queue)) {
            return error(
                    r,
                    404,
                    "Queue '" + (queue.length() > 100 ? queue.substring(0, 100) + "..." : queue)
                            + "' is not known: no worker has served it and no operator created it"
                            + (known.isEmpty() ? "." : " (known: " + String.join(", ", known) + ")."));
        }
        if (!post) {
            return page(
                    r,
                    200,
                    "confirm.jte",
                    new Pages.Confirm(
                            chrome(r, (pause ? "Pause" : "Resume") + " queue " + queue, "overview"),
                            (pause ? "Pause" : "Resume") + " queue '" + queue + "'?",
                            pause
                                    ? "Workers stop claiming from queue '" + queue
                                            + "'. Running executions finish; due ones wait"
                                            + " until the queue is resumed."
                                    : "Workers claim from queue '" + queue + "' again.",
                            pause ? "/queues/pause" : "/queues/resume",
                            List.of(new Pages.Field("queue", queue)),
                            pause ? "Pause queue" : "Resume queue",
                            pause,
                            "/"));
        }
        store.queuePause(queue, pause);
        log.info("console action={} queue={}", pause ? "pause" : "resume", queue);
        return redirect(r, "/?notice=" + (pause ? "paused" : "resumed"));
    }

    private int schedule(Request r, boolean pause, boolean post) throws IOException {
        String name = (post ? r.form() : r.query()).getOrDefault("name", "").strip();
        if (name.isEmpty()) {
            return error(r, 400, "Name a schedule.");
        }
        Optional<Schedule> s = store.scheduleGet(name);
        if (s.isEmpty()) {
            return error(
                    r,
                    404,
                    "There is no schedule '" + (name.length() > 100 ? name.substring(0, 100) + "..." : name) + "'.");
        }
        if (!post) {
            return page(
                    r,
                    200,
                    "confirm.jte",
                    new Pages.Confirm(
                            chrome(r, (pause ? "Pause" : "Resume") + " schedule " + name, "schedules"),
                            (pause ? "Pause" : "Resume") + " schedule '" + name + "'?",
                            pause
                                    ? "Schedule '" + name + "' fires nothing until it is resumed. Executions it"
                                            + " fired already run on."
                                    : "Schedule '" + name + "' fires next at its first time after now; the times"
                                            + " it missed while paused are not caught up.",
                            pause ? "/schedules/pause" : "/schedules/resume",
                            List.of(new Pages.Field("name", name)),
                            pause ? "Pause schedule" : "Resume schedule",
                            pause,
                            "/schedules"));
        }
        boolean done = pause ? store.schedulePause(name, true, null) : Schedules.resume(store, name, null);
        if (!done) {
            return error(r, 404, "There is no schedule '" + name + "' any more.");
        }
        log.info("console action={} schedule={}", pause ? "pause" : "resume", name);
        return redirect(r, "/schedules?notice=" + (pause ? "schedule_paused" : "schedule_resumed"));
    }

    private int signIn(Request r) throws IOException {
        String crossSite = guard.crossSiteProblem(r);
        if (crossSite != null) {
            return error(r, 403, "Refused: " + crossSite + ".");
        }
        String next = localPath(r.form().getOrDefault("next", "/"));
        if (!guard.matches(r.form().getOrDefault("token", ""))) {
            log.info("console sign-in refused");
            return page(
                    r,
                    401,
                    "login.jte",
                    new Pages.Login(chrome(r, "Sign in", ""), next, "That is not the access token."));
        }
        r.exchange().getResponseHeaders().add("Set-Cookie", guard.signInCookie());
        return redirect(r, next);
    }

    /**
     * {@code next} when it is a path on this console, else {@code /}. Browsers drop tabs and line
     * breaks from a URL and read a backslash as a slash, so {@code /<tab>/site} would leave the
     * console: only printable ASCII without spaces is kept (a path from a request is
     * percent-encoded), and never a second slash or backslash at its start.
     */
    static String localPath(String next) {
        if (next.length() < 1 || next.length() > 4096 || next.charAt(0) != '/') {
            return "/";
        }
        for (int i = 0; i < next.length(); i++) {
            char c = next.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return "/";
            }
        }
        if (next.length() > 1 && (next.charAt(1) == '/' || next.charAt(1) == '\\')) {
            return "/";
        }
        return next;
    }

    // ---- responses -----------------------------------------------------------------------------

    private Pages.Chrome chrome(Request r, String title, String section) {
        return new Pages.Chrome(
                title, section, guard.csrf(), guard.tokenRequired() && guard.signedIn(r), storeLabel, version);
    }

    /** Why reads fail when the schema is missing or of another version, if that is why. */
    private Optional<String> schemaProblem() {
        try {
            ExecutionStore.SchemaStatus s = store.schemaStatus();
            if (s.upToDate()) {
                return Optional.empty();
            }
            return Optional.of(
                    s.currentVersion() == 0
                            ? "The database has no nebula schema yet: a starting worker creates it, or run"
                                    + " `nebula-worker migrate`."
                            : "The database schema is at version " + s.currentVersion() + " but this console needs "
                                    + s.expectedVersion()
                                    + (s.currentVersion() < s.expectedVersion()
                                            ? ": run `nebula-worker migrate` (a starting worker also migrates)."
                                            : ": upgrade nebula-worker."));
        } catch (StoreException e) {
            return Optional.empty();
        }
    }

    private static String notice(Request r) {
        String n = r.query().get("notice");
        return n == null ? null : NOTICES.get(n);
    }

    private int error(Request r, int status, String message) throws IOException {
        if (r.fromHtmx()) {
            return send(r.exchange(), status, "text/plain; charset=utf-8", message + "\n");
        }
        return page(r, status, "error.jte", new Pages.Error(chrome(r, "Error " + status, ""), status, message, "/"));
    }

    private int page(Request r, int status, String template, Object model) throws IOException {
        return send(r.exchange(), status, "text/html; charset=utf-8", Html.render(template, model));
    }

    private int redirect(Request r, String location) throws IOException {
        r.exchange().getResponseHeaders().set("Location", location);
        return send(r.exchange(), 303, "text/plain; charset=utf-8", "see " + location + "\n");
    }

    int send(HttpExchange ex, int status, String type, String body) throws IOException {
        return send(ex, status, type, body.getBytes(StandardCharsets.UTF_8), "no-store");
    }

    /** Sends a response with the console's security headers on it. */
    static int send(HttpExchange ex, int status, String type, byte[] body, String cacheControl) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("Content-Security-Policy", CSP);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        // Not no-referrer: under it a browser sends "Origin: null" even with a form of this
        // console's own, which the cross-site check could then not tell from a hostile page's.
        h.set("Referrer-Policy", "same-origin");
        h.set("Cross-Origin-Opener-Policy", "same-origin");
        h.set("Cross-Origin-Resource-Policy", "same-origin");
        h.set("Cache-Control", cacheControl);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        return status;
    }

    /** Reads a whole resource of the jar. */
    static byte[] resource(String name) throws IOException {
        try (InputStream in = Routes.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return in.readAllBytes();
        }
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
