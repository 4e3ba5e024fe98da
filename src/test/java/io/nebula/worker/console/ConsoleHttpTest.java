package io.nebula.worker.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.app.WorkflowCatalog;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import io.nebula.worker.testing.TestConfigs;
import io.nebula.worker.workflow.Workflows;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console over plain HTTP against a real SQLite file: the headers on every answer, the CSRF,
 * Host and token rules, escaping in the HTML as sent, and the bad requests a person can make.
 */
class ConsoleHttpTest {
    private static final String TOKEN = "http-test-token-0123456789";

    @TempDir
    static Path tmp;

    private static ExecutionStore store;
    private static ConsoleServer open;
    private static ConsoleServer guarded;
    private static long scripted;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() throws Exception {
        store = SqliteExecutionStore.open(tmp.resolve("console.db"), StoreOptions.defaults("console-http"));
        store.migrate();
        store.workflowPut(new WorkflowDocument(
                "h1", "greet", "{\"name\":\"greet\",\"nodes\":[{\"action\":\"noop\",\"id\":\"only\"}]}"));
        scripted = store.executionSubmitMany(List.of(
                        SubmitRequest.now("default", "h1", "greet", "{\"name\":\"<script>alert(1)</script>\"}", 3)
                                .withIdempotencyKey("order-7")))
                .get(0)
                .executionId();
        WorkerConfig config = TestConfigs.sqlite(tmp.resolve("console.db"));
        Workflows workflows = WorkflowCatalog.of(config);
        open = ConsoleServer.start(
                new WorkerConfig.Console(false, "127.0.0.1", 0, null),
                store,
                workflows,
                Duration.ofSeconds(3),
                "SQLite",
                "t");
        guarded = ConsoleServer.start(
                new WorkerConfig.Console(false, "127.0.0.1", 0, TOKEN),
                store,
                workflows,
                Duration.ofSeconds(3),
                "SQLite",
                "t");
    }

    @AfterAll
    static void stop() {
        open.close();
        guarded.close();
        store.close();
    }

    private static HttpResponse<String> get(ConsoleServer s, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(ConsoleServer s, String path, String form, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Submits one execution of the stored workflow to the default queue; returns its id. */
    private static long submitted() {
        return store.executionSubmitMany(List.of(SubmitRequest.now("default", "h1", "greet", "{}", 1)))
                .get(0)
                .executionId();
    }

    private static String csrf() throws Exception {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"")
                .matcher(get(open, "/executions/" + scripted + "/cancel").body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() throws Exception {
        for (String path : List.of(
                "/", "/overview/live", "/executions", "/executions/" + scripted, "/static/htmx.min.js", "/nowhere")) {
            HttpResponse<String> r = get(open, path);
            assertThat(r.headers().firstValue("Content-Security-Policy"))
                    .as(path)
                    .contains(Routes.CSP);
            assertThat(r.headers().firstValue("X-Content-Type-Options"))
                    .as(path)
                    .contains("nosniff");
            assertThat(r.headers().firstValue("X-Frame-Options")).as(path).contains("DENY");
        }
        assertThat(get(guarded, "/").headers().firstValue("Content-Security-Policy"))
                .contains(Routes.CSP);
        assertThat(Routes.CSP)
                .contains("script-src 'self'")
                .contains("default-src 'none'")
                .doesNotContain("unsafe");
    }

    @Test
    void pagesLoadNothingFromElsewhere() throws Exception {
        for (String path : List.of(
                "/", "/executions", "/executions/" + scripted, "/workflows", "/workflows/view?hash=h1", "/schedules")) {
            String html = get(open, path).body();
            assertThat(html).as(path).doesNotContainPattern("(src|href|action)=\"(https?:)?//");
            assertThat(html).contains("<script src=\"/static/htmx.min.js\" defer></script>");
        }
        HttpResponse<String> htmx = get(open, "/static/htmx.min.js");
        assertThat(htmx.statusCode()).isEqualTo(200);
        assertThat(htmx.body()).contains("htmx");
        assertThat(get(open, "/static/console.css").statusCode()).isEqualTo(200);
        assertThat(StaticFiles.htmxVersion()).isEqualTo("2.0.4");
    }

    /** An execution of the stored workflow on {@code queue}, parked with node 'only' waiting for 'approve'. */
    private static long parkedForApproval(String queue) {
        return parkedForApproval(queue, null);
    }

    /** As {@link #parkedForApproval(String)}, the wait timing out after {@code timeout} ({@code null}: never). */
    private static long parkedForApproval(String queue, Duration timeout) {
        long id = store.executionSubmitMany(List.of(SubmitRequest.now(queue, "h1", "greet", "{}", 3)))
                .get(0)
                .executionId();
        var claimed = store.executionClaim(
                        new io.nebula.worker.queue.ClaimRequest("w", List.of(queue), 1, Duration.ofMinutes(1)))
                .get(0);
        store.executionCompleteMany(List.of(io.nebula.worker.queue.Completions.awaitSignal(
                claimed.lease(),
                "node 'only': waiting for signal 'approve'",
                List.of(new io.nebula.worker.queue.SignalWait("only", "approve", timeout)),
                List.of())));
        return id;
    }

    /** Posts the console's signal form for 'approve' with {@code data}, as a same-origin browser would. */
    private static HttpResponse<String> approve(long id, String data) throws Exception {
        return post(
                open,
                "/executions/" + id + "/signal",
                "csrf=" + csrf() + "&name=approve&data=" + java.net.URLEncoder.encode(data, StandardCharsets.UTF_8),
                "Origin",
                "http://127.0.0.1:" + open.port());
    }

    @Test
    void aSignalANodeWaitsForIsDeliveredFromTheConsoleWithItsData() throws Exception {
        long id = parkedForApproval("approvals");

        assertThat(get(open, "/executions/" + id).body())
                .contains("href=\"/executions/" + id + "/signal?name=approve\"");
        assertThat(get(open, "/executions/" + id + "/signal?name=approve").body())
                .contains("<textarea")
                .containsPattern("Node (&#39;|')only(&#39;|') of execution " + id);
        assertThat(get(open, "/executions/" + id + "/signal?name=aprove").statusCode())
                .as("a name no node waits for")
                .isEqualTo(409);

        HttpResponse<String> broken = approve(id, "{\"ok\"");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(broken.body()).contains("not valid JSON").contains(">{\"ok\"</textarea>");
        assertThat(approve(id, "</textarea><script>x</script>").body())
                .as("refused data is shown escaped")
                .doesNotContain("<script>x")
                .contains(">&lt;/textarea&gt;&lt;script&gt;x");
        assertThat(store.signalList(id)).noneMatch(io.nebula.worker.queue.SignalView::received);
        assertThat(post(open, "/executions/" + id + "/signal", "name=approve&data=%7B%7D")
                        .statusCode())
                .as("without the CSRF token")
                .isEqualTo(403);

        HttpResponse<String> sent = approve(id, "{\"ok\": true}");
        assertThat(sent.statusCode()).isEqualTo(303);
        assertThat(sent.headers().firstValue("Location")).contains("/executions/" + id + "?notice=signal_delivered");
        assertThat(store.signalList(id))
                .singleElement()
                .satisfies(v -> assertThat(v.dataJson()).isEqualTo("{\"ok\": true}"));
        assertThat(store.executionGet(id).orElseThrow().awaitingSignal()).isFalse();
        assertThat(approve(id, "{}").statusCode())
                .as("delivered already: nothing waits for it now")
                .isEqualTo(409);
    }

    @Test
    void aSignalWaitThatTimedOutIsNotOffered() throws Exception {
        long id = parkedForApproval("late-approvals", Duration.ofMillis(1));

        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> store.signalList(id).stream().allMatch(io.nebula.worker.queue.SignalView::timedOut));
        assertThat(get(open, "/executions/" + id).body()).doesNotContain("/signal?name=approve");
        assertThat(get(open, "/executions/" + id + "/signal?name=approve").statusCode())
                .isEqualTo(409);
    }

    @Test
    void anExecutionParkedForASignalSaysWhichSignalSinceWhen() throws Exception {
        long id = parkedForApproval("signals");

        String html = get(open, "/executions/" + id).body();

        assertThat(html)
                .containsPattern("Waiting for signal (&#39;|')approve(&#39;|') since ")
                .contains("executions signal " + id + " approve");
        assertThat(listDetail(id, "signals")).isEqualTo("waiting for a signal");
    }

    /** The Detail cell of an execution's row in the list of one queue's executions. */
    private static String listDetail(long id, String queue) throws Exception {
        String html = get(open, "/executions/live?queue=" + queue).body();
        Matcher m = Pattern.compile("<tr data-id=\"" + id + "\">.*?data-field=\"detail\">([^<]*)<", Pattern.DOTALL)
                .matcher(html);
        assertThat(m.find()).as(html).isTrue();
        return m.group(1);
    }

    @Test
    void theListSaysWhatAnExecutionWaitsForAndWhenItsQueueIsPaused() throws Exception {
        long due = store.executionSubmitMany(List.of(SubmitRequest.now("held", "h1", "greet", "{}", 1)))
                .get(0)
                .executionId();
        long later = store.executionSubmitMany(
                        List.of(new SubmitRequest("held", "h1", "greet", "{}", 0, Duration.ofHours(2), null, 1, null)))
                .get(0)
                .executionId();

        assertThat(listDetail(due, "held")).startsWith("due ").endsWith(", waiting for a worker");
        assertThat(listDetail(later, "held")).startsWith("due in 1h 59m").doesNotContain("paused");

        store.queuePause("held", true);

        assertThat(listDetail(due, "held")).startsWith("due ").endsWith("; its queue is paused");
        assertThat(listDetail(later, "held")).startsWith("due in 1h 59m").endsWith("; its queue is paused");
    }

    @Test
    void aRunningExecutionWhoseCancelWasRequestedSaysSoInTheList() throws Exception {
        long id = store.executionSubmitMany(List.of(SubmitRequest.now("stopping", "h1", "greet", "{}", 1)))
                .get(0)
                .executionId();
        store.executionClaim(
                new io.nebula.worker.queue.ClaimRequest("w-stop", List.of("stopping"), 1, Duration.ofMinutes(1)));
        assertThat(listDetail(id, "stopping")).isEqualTo("on w-stop");

        assertThat(store.executionCancel(id, "not needed", "test"))
                .isEqualTo(io.nebula.worker.queue.CancelResult.REQUESTED);

        assertThat(listDetail(id, "stopping")).isEqualTo("on w-stop (cancel requested)");
    }

    @Test
    void aParentAndTheChildItsSubWorkflowNodeStartedLinkToEachOther() throws Exception {
        String childHash = "c".repeat(64);
        store.workflowPut(new WorkflowDocument(
                childHash, "shipping", "{\"name\":\"shipping\",\"nodes\":[{\"action\":\"noop\",\"id\":\"ship\"}]}"));
        store.workflowPut(new WorkflowDocument(
                "h-parent",
                "order",
                "{\"name\":\"order\",\"nodes\":[{\"id\":\"shipping\",\"workflow\":\"" + childHash
                        + "\",\"input\":{}}]}"));
        long parent = store.executionSubmitMany(List.of(SubmitRequest.now("default", "h-parent", "order", "{}", 3)))
                .get(0)
                .executionId();
        long child = store.executionSubmitMany(List.of(SubmitRequest.now("default", childHash, "shipping", "{}", 3)
                        .withIdempotencyKey(io.nebula.worker.queue.ChildKeys.key(parent, "shipping"))))
                .get(0)
                .executionId();

        String parentPage = get(open, "/executions/" + parent).body();
        String childPage = get(open, "/executions/" + child).body();

        assertThat(parentPage)
                .contains("data-child=\"" + child + "\"")
                .contains("href=\"/executions/" + child + "\"")
                .containsPattern("execution " + child + ", node ('|&#39;)shipping('|&#39;)");
        assertThat(childPage)
                .contains("data-field=\"parent\"")
                .contains("href=\"/executions/" + parent + "\"")
                .containsPattern("execution " + parent + ", node ('|&#39;)shipping('|&#39;)");
    }

    @Test
    void storedMarkupIsSentEscaped() throws Exception {
        String html = get(open, "/executions/" + scripted).body();
        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert");
    }

    @Test
    void actionsNeedTheCsrfTokenAndASameOriginForm() throws Exception {
        long id = submitted();
        String path = "/executions/" + id + "/cancel";

        assertThat(post(open, path, "").statusCode()).isEqualTo(403);
        assertThat(post(open, path, "csrf=wrong").statusCode()).isEqualTo(403);
        assertThat(post(open, path, "csrf=" + csrf(), "Origin", "http://evil.example")
                        .statusCode())
                .isEqualTo(403);
        assertThat(post(open, path, "csrf=" + csrf(), "Sec-Fetch-Site", "cross-site")
                        .statusCode())
                .isEqualTo(403);
        assertThat(store.executionGet(id).orElseThrow().state()).isEqualTo(ExecutionState.AVAILABLE);

        HttpResponse<String> done = post(open, path, "csrf=" + csrf(), "Origin", "http://127.0.0.1:" + open.port());
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(done.headers().firstValue("Location")).contains("/executions/" + id + "?notice=cancelled");
        assertThat(store.executionGet(id).orElseThrow().state()).isEqualTo(ExecutionState.CANCELLED);
        assertThat(post(open, path, "csrf=" + csrf()).statusCode())
                .as("cancelling a finished execution is a conflict")
                .isEqualTo(409);
    }

    @Test
    void aFormSentThroughAnHttpsProxyIsAccepted() throws Exception {
        long id = submitted();
        String path = "/executions/" + id + "/cancel";
        // A proxy that forwards to 127.0.0.1 keeps the browser's Origin; the Host the console sees is
        // its own address, and the proxy names the public one in X-Forwarded-Host.
        assertThat(post(
                                open,
                                path,
                                "csrf=" + csrf(),
                                "Origin",
                                "https://console.example.com",
                                "X-Forwarded-Host",
                                "console.example.com")
                        .statusCode())
                .isEqualTo(303);
        long second = submitted();
        assertThat(post(
                                open,
                                "/executions/" + second + "/cancel",
                                "csrf=" + csrf(),
                                "Origin",
                                "https://console.example.com",
                                "Sec-Fetch-Site",
                                "same-origin")
                        .statusCode())
                .as("the browser vouches for the origin")
                .isEqualTo(303);
        long third = submitted();
        assertThat(post(
                                open,
                                "/executions/" + third + "/cancel",
                                "csrf=" + csrf(),
                                "Origin",
                                "https://evil.example",
                                "X-Forwarded-Host",
                                "console.example.com")
                        .statusCode())
                .isEqualTo(403);
        assertThat(store.executionGet(third).orElseThrow().state()).isEqualTo(ExecutionState.AVAILABLE);
    }

    @Test
    void signingInNeverLeavesTheConsole() throws Exception {
        for (String next : List.of(
                "//evil.example/",
                "/\\evil.example/",
                "/%09/evil.example",
                "/\t/evil.example",
                "https://evil.example")) {
            HttpResponse<String> in = post(guarded, "/login", "token=" + TOKEN + "&next=" + next);
            assertThat(in.statusCode()).as(next).isEqualTo(303);
            assertThat(in.headers().firstValue("Location")).as(next).contains("/");
        }
        HttpResponse<String> kept = post(guarded, "/login", "token=" + TOKEN + "&next=/executions?state=failed");
        assertThat(kept.headers().firstValue("Location")).contains("/executions?state=failed");
        assertThat(post(guarded, "/login", "token=" + TOKEN + "&next=/", "Sec-Fetch-Site", "cross-site")
                        .statusCode())
                .isEqualTo(403);
        // A page that hides its origin (no-referrer, a sandboxed frame) sends "null"; the console's
        // own forms send their origin.
        assertThat(post(guarded, "/login", "token=" + TOKEN + "&next=/", "Origin", "null")
                        .statusCode())
                .isEqualTo(403);
        assertThat(get(guarded, "/login").headers().firstValue("Referrer-Policy"))
                .contains("same-origin");
        assertThat(Routes.localPath("/\t/evil.example")).isEqualTo("/");
        assertThat(Routes.localPath("/\n//evil.example")).isEqualTo("/");
        assertThat(Routes.localPath("/ok?x=1")).isEqualTo("/ok?x=1");
    }

    @Test
    void aNodeThatSucceededOnItsSecondTryShowsThatTryAndTheFailedOneInTheHistory() throws Exception {
        WorkerConfig config = TestConfigs.withQueues(TestConfigs.sqlite(tmp.resolve("console.db")), List.of("tries"));
        Workflows workflows = WorkflowCatalog.of(config);
        io.nebula.worker.workflow.LoadedWorkflow flaky = workflows.loadText("""
                {"name": "flaky-node", "nodes": [{"id": "reserve", "action": "fail",
                  "params": {"message": "HTTP 503", "retryable": true, "times": 1, "per_node_try": true},
                  "retry": {"attempts": 2, "backoff_ms": 10}}]}""", "flaky.json");
        long id = new io.nebula.worker.app.WorkflowClient(store, workflows, 3)
                .submit(
                        flaky,
                        "{}",
                        io.nebula.worker.app.SubmitOptions.defaults().queue("tries"))
                .executionId();
        io.nebula.worker.app.NebulaWorker worker = io.nebula.worker.app.NebulaWorker.builder()
                .config(config)
                .workerId("console-tries")
                .options(io.nebula.worker.pool.PoolOptions.from(config, "console-tries"))
                .build();
        try {
            worker.start();
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> store.executionGet(id).orElseThrow().state() == ExecutionState.SUCCEEDED);
        } finally {
            worker.close();
        }

        String html = get(open, "/executions/" + id).body();
        assertThat(html)
                .as("the graph names the node's try, not the execution's attempt")
                .contains("succeeded · try 2");
        assertThat(html).contains("node_try_failed").contains("HTTP 503");
        assertThat(get(open, "/executions/" + id + "/node?id=reserve").body()).contains("<dt>Try</dt><dd>2</dd>");
    }

    @Test
    void theOverviewSaysWhenNoLiveWorkerServesAQueue() throws Exception {
        store.executionSubmitMany(List.of(
                SubmitRequest.now("served", "h1", "greet", "{}", 1),
                SubmitRequest.now("orphan", "h1", "greet", "{}", 1)));
        store.workerRegister(new io.nebula.worker.queue.WorkerInfo(
                "overview-worker", "pool", "host", 1, 4, List.of("served"), "t", null, null, 0));

        String html = get(open, "/overview/live").body();

        assertThat(claiming(html, "served")).isEqualTo("active");
        assertThat(claiming(html, "orphan")).isEqualTo("no worker");
    }

    @Test
    void theOverviewShowsAQueuesLimitBesideItsRunningExecutions() throws Exception {
        store.executionSubmitMany(List.of(
                SubmitRequest.now("limited", "h1", "greet", "{}", 1),
                SubmitRequest.now("free", "h1", "greet", "{}", 1)));
        store.queueLimit("limited", 2);

        String html = get(open, "/overview/live").body();

        Matcher limited = Pattern.compile(
                        "data-queue=\"limited\">.*?data-field=\"running\">0 <span[^>]*data-field=\"limit\""
                                + " title=\"at most 2 at once across all workers \\(queues limit\\)\">/ 2</span>",
                        Pattern.DOTALL)
                .matcher(html);
        assertThat(limited.find()).as(html).isTrue();
        Matcher free = Pattern.compile("data-queue=\"free\">.*?data-field=\"running\">0</td>", Pattern.DOTALL)
                .matcher(html);
        assertThat(free.find())
                .as("a queue without a limit shows its running count alone")
                .isTrue();
    }

    /** The Claiming cell of a queue's row on the overview. */
    private static String claiming(String html, String queue) {
        Matcher m = Pattern.compile(
                        "data-queue=\"" + queue + "\">.*?data-field=\"paused\"[^>]*>([^<]+)<", Pattern.DOTALL)
                .matcher(html);
        assertThat(m.find()).as(queue).isTrue();
        return m.group(1);
    }

    @Test
    void pausingAQueueNobodyKnowsIsRefusedAndNamesTheKnownOnes() throws Exception {
        store.executionSubmitMany(List.of(SubmitRequest.now("known-queue", "h1", "greet", "{}", 1)));

        HttpResponse<String> typo = post(open, "/queues/pause", "csrf=" + csrf() + "&queue=knwon-queue");
        assertThat(typo.statusCode()).isEqualTo(404);
        assertThat(typo.body()).contains("Queue 'knwon-queue' is not known").contains("known-queue");
        assertThat(get(open, "/queues/pause?queue=%3Cscript%3E").statusCode()).isEqualTo(404);
        assertThat(store.queueList())
                .extracting(io.nebula.worker.queue.KnownQueue::name)
                .doesNotContain("knwon-queue", "<script>");

        assertThat(post(open, "/queues/pause", "csrf=" + csrf() + "&queue=known-queue")
                        .statusCode())
                .isEqualTo(303);
        assertThat(store.queuePausedList()).contains("known-queue");
    }

    /** Submits {@code n} executions to {@code queue} and fails each for good; their ids, oldest first. */
    private List<Long> failedOn(String queue, int n) {
        List<SubmitRequest> requests =
                java.util.Collections.nCopies(n, SubmitRequest.now(queue, "h1", "greet", "{}", 1));
        List<Long> ids = store.executionSubmitMany(requests).stream()
                .map(x -> x.executionId())
                .toList();
        store.executionCompleteMany(
                store
                        .executionClaim(
                                new io.nebula.worker.queue.ClaimRequest("w", List.of(queue), n, Duration.ofMinutes(1)))
                        .stream()
                        .map(c -> io.nebula.worker.queue.Completions.fail(c.lease(), "boom", false, null, List.of()))
                        .toList());
        return ids;
    }

    @Test
    void everyFailedExecutionAFilterMatchesIsRetriedThroughAConfirmation() throws Exception {
        List<Long> ids = failedOn("bulk-q", 3);

        assertThat(get(open, "/executions?state=failed&queue=bulk-q").body())
                .contains("href=\"/executions/retry?state=failed&amp;queue=bulk-q\"");
        assertThat(get(open, "/executions?queue=bulk-q").body()).doesNotContain("Retry every match");
        assertThat(get(open, "/executions/retry?state=succeeded&queue=bulk-q").statusCode())
                .isEqualTo(400);

        HttpResponse<String> confirm = get(open, "/executions/retry?state=failed&queue=bulk-q&from=1h");
        assertThat(confirm.statusCode()).isEqualTo(200);
        assertThat(confirm.body())
                .contains("Retry 3 failed executions?")
                .contains("on queue 'bulk-q'")
                .containsPattern("name=\"from\" value=\"20[0-9-]+T[0-9:.]+Z\"")
                .containsPattern("name=\"until\" value=\"20[0-9-]+T[0-9:.]+Z\"")
                .contains("created before 20");
        assertThat(ids)
                .allSatisfy(id ->
                        assertThat(store.executionGet(id).orElseThrow().state()).isEqualTo(ExecutionState.FAILED));

        assertThat(post(open, "/executions/retry", "state=failed&queue=bulk-q").statusCode())
                .as("no CSRF token")
                .isEqualTo(403);
        HttpResponse<String> done = post(open, "/executions/retry", "csrf=" + csrf() + "&state=failed&queue=bulk-q");
        assertThat(done.statusCode()).isEqualTo(303);
        String location = done.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith("/executions?state=failed&queue=bulk-q").contains("requeued=3");
        assertThat(ids)
                .allSatisfy(id ->
                        assertThat(store.executionGet(id).orElseThrow().state()).isEqualTo(ExecutionState.AVAILABLE));
        assertThat(get(open, location).body()).contains("Queued again: 3 executions");
        assertThat(get(open, "/executions/retry?state=failed&queue=bulk-q").statusCode())
                .isEqualTo(404);
    }

    @Test
    void aBulkRetryTheDatabaseStopsPartWaySaysWhatItQueuedAndThatTheRestIsLeft() throws Exception {
        List<Long> ids = failedOn("stop-q", 2);
        // Newest first: the database refuses the older one's retry after the newer one's went through.
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("console.db"));
                java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TRIGGER refuse_retry BEFORE UPDATE ON executions WHEN OLD.id = " + ids.get(0)
                    + " BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
        }

        HttpResponse<String> done = post(open, "/executions/retry", "csrf=" + csrf() + "&state=failed&queue=stop-q");
        assertThat(done.statusCode()).isEqualTo(303);
        String location = done.headers().firstValue("Location").orElseThrow();
        assertThat(location).contains("requeued=1").contains("more=stopped");
        assertThat(get(open, location).body())
                .contains("Queued again: 1 execution;")
                .contains("Then the database failed (see the worker's log); retry again to queue the rest.");
        assertThat(store.executionGet(ids.get(1)).orElseThrow().state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(store.executionGet(ids.get(0)).orElseThrow().state()).isEqualTo(ExecutionState.FAILED);
    }

    @Test
    void schedulesAreListedAndPausedAndResumedThroughAConfirmation() throws Exception {
        Instant now = store.databaseNow();
        assertThat(store.scheduleCreate(Schedule.define(
                        "nightly <b>",
                        "h1",
                        "greet",
                        "0 3 * * *",
                        "Europe/Berlin",
                        "{}",
                        "default",
                        1,
                        Schedule.Overlap.SKIP,
                        Schedule.CatchUp.LATEST,
                        now.plus(Duration.ofHours(5)))))
                .isTrue();
        try {
            HttpResponse<String> list = get(open, "/schedules");
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body())
                    .contains("nightly &lt;b&gt;")
                    .doesNotContain("nightly <b>")
                    .contains("0 3 * * *")
                    .contains("Europe/Berlin")
                    .contains("/workflows/view?hash=h1")
                    .contains("overlap skip, catch up latest")
                    .containsAnyOf("(in 4h 59m)", "(in 5h)")
                    .contains("/schedules/pause?name=nightly+%3Cb%3E");

            HttpResponse<String> confirm = get(open, "/schedules/pause?name=nightly+%3Cb%3E");
            assertThat(confirm.statusCode()).isEqualTo(200);
            assertThat(confirm.body()).contains("Pause schedule").contains("fires nothing until it is resumed");
            assertThat(store.scheduleGet("nightly <b>").orElseThrow().paused()).isFalse();

            assertThat(post(open, "/schedules/pause", "name=nightly+%3Cb%3E").statusCode())
                    .as("no CSRF token")
                    .isEqualTo(403);
            HttpResponse<String> paused = post(open, "/schedules/pause", "csrf=" + csrf() + "&name=nightly+%3Cb%3E");
            assertThat(paused.statusCode()).isEqualTo(303);
            assertThat(paused.headers().firstValue("Location")).contains("/schedules?notice=schedule_paused");
            assertThat(store.scheduleGet("nightly <b>").orElseThrow().paused()).isTrue();
            assertThat(get(open, "/schedules?notice=schedule_paused").body())
                    .contains("Schedule paused")
                    .contains("/schedules/resume?name=nightly+%3Cb%3E");

            // Resumed with its next fire time read from its cron again: the first 03:00 in Berlin
            // after now.
            HttpResponse<String> resumed = post(open, "/schedules/resume", "csrf=" + csrf() + "&name=nightly+%3Cb%3E");
            assertThat(resumed.statusCode()).isEqualTo(303);
            Schedule after = store.scheduleGet("nightly <b>").orElseThrow();
            assertThat(after.paused()).isFalse();
            assertThat(after.nextFireAt()).isAfter(now);
            assertThat(java.time.ZonedDateTime.ofInstant(after.nextFireAt(), java.time.ZoneId.of("Europe/Berlin"))
                            .getHour())
                    .isEqualTo(3);

            HttpResponse<String> unknown = get(open, "/schedules/pause?name=nighty");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("There is no schedule 'nighty'.");
            assertThat(post(open, "/schedules/resume", "csrf=" + csrf() + "&name=")
                            .statusCode())
                    .isEqualTo(400);
        } finally {
            store.scheduleDelete("nightly <b>");
        }
        assertThat(get(open, "/schedules").body()).contains("No schedule yet");
    }

    @Test
    void withoutATokenOnlyLoopbackHostNamesAreAnswered() throws Exception {
        // A site whose name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own Host.
        assertThat(statusWithHost("attacker.example")).startsWith("HTTP/1.1 421");
        assertThat(statusWithHost("attacker.example:" + open.port())).startsWith("HTTP/1.1 421");
        assertThat(statusWithHost("localhost:" + open.port())).isEqualTo("HTTP/1.1 200 OK");
        assertThat(statusWithHost("127.0.0.1:" + open.port())).isEqualTo("HTTP/1.1 200 OK");
        assertThat(statusWithHost("[::1]:" + open.port())).isEqualTo("HTTP/1.1 200 OK");
    }

    /** The status line for GET / with this Host header (the JDK's HTTP client will not send one). */
    private static String statusWithHost(String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", open.port())) {
            socket.getOutputStream()
                    .write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new java.io.BufferedReader(new java.io.InputStreamReader(
                            socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
                    .readLine();
        }
    }

    @Test
    void withATokenEveryRequestMustCarryIt() throws Exception {
        HttpResponse<String> anonymous = get(guarded, "/executions/" + scripted);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("Sign in").doesNotContain("order-7");
        assertThat(get(guarded, "/overview/live", "HX-Request", "true")
                        .headers()
                        .firstValue("HX-Redirect"))
                .contains("/login");
        assertThat(get(guarded, "/", "Authorization", "Bearer wrong-token-wrong-token")
                        .statusCode())
                .isEqualTo(401);
        assertThat(get(guarded, "/", "Authorization", "Bearer " + TOKEN).statusCode())
                .isEqualTo(200);
        assertThat(get(guarded, "/static/console.css").statusCode())
                .as("styles for the sign-in page")
                .isEqualTo(200);

        assertThat(post(guarded, "/login", "token=wrong&next=/").statusCode()).isEqualTo(401);
        HttpResponse<String> in = post(guarded, "/login", "token=" + TOKEN + "&next=//evil.example/");
        assertThat(in.statusCode()).isEqualTo(303);
        assertThat(in.headers().firstValue("Location")).as("no open redirect").contains("/");
        String cookie = in.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict").doesNotContain(TOKEN);
        String pair = cookie.substring(0, cookie.indexOf(';'));
        assertThat(get(guarded, "/executions/" + scripted, "Cookie", pair).body())
                .contains("order-7");
        assertThat(get(guarded, "/", "Cookie", Guard.COOKIE + "=forged").statusCode())
                .isEqualTo(401);
    }

    @Test
    void aDatabaseWithoutTheSchemaGetsAPageThatSaysSo() throws Exception {
        WorkerConfig config = TestConfigs.sqlite(tmp.resolve("empty.db"));
        try (ExecutionStore empty = SqliteExecutionStore.open(tmp.resolve("empty.db"), StoreOptions.defaults("empty"));
                ConsoleServer c = ConsoleServer.start(
                        new WorkerConfig.Console(false, "127.0.0.1", 0, null),
                        empty,
                        WorkflowCatalog.of(config),
                        Duration.ofSeconds(3),
                        "SQLite",
                        "t")) {
            HttpResponse<String> r = get(c, "/");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("no nebula schema yet").contains("nebula-worker migrate");
        }
    }

    @Test
    void badRequestsGetAPageThatSaysWhatIsWrong() throws Exception {
        HttpResponse<String> state = get(open, "/executions?state=sleeping");
        assertThat(state.statusCode()).isEqualTo(400);
        assertThat(state.body()).contains("unknown execution state 'sleeping'");
        assertThat(get(open, "/executions?from=yesterday").body()).contains("from: 'yesterday' is not a time");
        assertThat(get(open, "/executions?after=12").body()).contains("a page cursor looks like");
        assertThat(get(open, "/executions/999999").statusCode()).isEqualTo(404);
        assertThat(get(open, "/executions/" + scripted + "/node?id=missing").statusCode())
                .isEqualTo(404);
        assertThat(get(open, "/search?q=order-7").headers().firstValue("Location"))
                .contains("/executions/" + scripted);
        assertThat(get(open, "/search?q=" + scripted).headers().firstValue("Location"))
                .contains("/executions/" + scripted);
        assertThat(get(open, "/search?q=order-8").statusCode()).isEqualTo(404);
        assertThat(get(open, "/workflows/view?hash=nope").statusCode()).isEqualTo(404);
    }
}
