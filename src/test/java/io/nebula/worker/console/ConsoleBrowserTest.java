package io.nebula.worker.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.app.NebulaWorker;
import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowCatalog;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.config.ConfigException;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.pool.PoolOptions;
import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.Completions;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.HistoryEntry;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.testing.TestConfigs;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.Workflows;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (headless Chromium through Selenium) against PostgreSQL: what a
 * person on call sees and does. One browser and one schema serve the whole class; each test uses
 * its own queues and workflows so they do not see each other's executions.
 */
class ConsoleBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static String schema;
    private static ExecutionStore store;
    private static WorkerConfig config;
    private static Workflows workflows;
    private static WorkflowClient client;
    private static ConsoleServer console;
    private static Browser browser;
    private static ChromeDriver driver;

    @BeforeAll
    static void start() throws Exception {
        PostgresTestDatabase.require();
        Browser.require();
        schema = PostgresTestDatabase.newSchema();
        store = PostgresTestDatabase.open(
                schema, StoreOptions.defaults("console-test").withMaxConnections(4));
        store.migrate();
        config = TestConfigs.withQueues(
                TestConfigs.postgres(PostgresTestDatabase.URL, PostgresTestDatabase.properties(), schema),
                List.of("live"));
        workflows = WorkflowCatalog.of(config);
        client = new WorkflowClient(store, workflows, 3);
        store.workflowPut(new WorkflowDocument(
                "h-acts", "acts", "{\"name\":\"acts\",\"nodes\":[{\"action\":\"noop\",\"id\":\"step\"}]}"));
        console = ConsoleServer.start(
                new WorkerConfig.Console(false, "127.0.0.1", 0, null),
                store,
                workflows,
                Duration.ofSeconds(3),
                "PostgreSQL test",
                "test");
        browser = Browser.start(1280, 1000);
        driver = browser.driver;
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (console != null) {
            console.close();
        }
        if (store != null) {
            store.close();
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + console.port() + path;
    }

    private static WebDriverWait waiting() {
        WebDriverWait w = new WebDriverWait(driver, WAIT, Duration.ofMillis(100));
        w.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return w;
    }

    private static LoadedWorkflow workflow(String json) throws Exception {
        return workflows.loadText(json, "test.json");
    }

    private static String text(String css) {
        return driver.findElement(By.cssSelector(css)).getText().strip();
    }

    /** A value set in the page's script context, gone if the page was loaded again. */
    private static void markPage() {
        driver.executeScript("window.__sameDocument = true;");
    }

    private static boolean samePage() {
        return Boolean.TRUE.equals(driver.executeScript("return window.__sameDocument === true;"));
    }

    private static long failedExecution(String queue, String error) {
        long id = store.executionSubmitMany(List.of(SubmitRequest.now(queue, "h-acts", "acts", "{}", 1)))
                .get(0)
                .executionId();
        List<ClaimedExecution> c =
                store.executionClaim(new ClaimRequest("test", List.of(queue), 1, Duration.ofMinutes(5)));
        assertThat(c).extracting(ClaimedExecution::id).containsExactly(id);
        store.executionCompleteMany(List.of(Completions.fail(c.get(0).lease(), error, false, null, List.of())));
        return id;
    }

    @Test
    void theOverviewShowsTheCountsAfterSubmitsAndFollowsNewOnesWithoutAReload() throws Exception {
        failedExecution("overview-a", "broken");
        LoadedWorkflow wf = workflow("{\"name\":\"counted\",\"nodes\":[{\"id\":\"n\",\"action\":\"noop\"}]}");
        client.submitMany(
                wf, List.of("{}", "{}", "{}"), SubmitOptions.defaults().queue("overview-a"));
        client.submitMany(
                wf,
                List.of("{}", "{}"),
                SubmitOptions.defaults().queue("overview-a").delay(Duration.ofHours(1)));

        driver.get(url("/"));
        String row = "tr[data-queue='overview-a'] ";
        assertThat(text(row + "[data-field=due]")).isEqualTo("3");
        assertThat(text(row + "[data-field=scheduled]")).isEqualTo("2");
        assertThat(text(row + "[data-field=running]")).isEqualTo("0");
        assertThat(text(row + "[data-field=failed]")).isEqualTo("1");
        assertThat(text(row + "[data-field=paused]")).isEqualTo("no worker");
        markPage();
        // The chart is read at most every few seconds, so it may lag the counts a little.
        waiting()
                .until(d -> d.findElement(By.cssSelector(row + "svg.chart title"))
                        .getAttribute("textContent")
                        .startsWith("1 finished in the last 15 minutes"));

        client.submitMany(wf, List.of("{}", "{}"), SubmitOptions.defaults().queue("overview-a"));

        waiting().until(d -> text(row + "[data-field=due]").equals("5"));
        assertThat(samePage()).as("the count changed without a page load").isTrue();
    }

    @Test
    void anExecutionsNodesTurnGreenLiveUntilItSucceeds() throws Exception {
        LoadedWorkflow wf = workflow("""
                {"name": "four-steps", "nodes": [
                  {"id": "first", "action": "delay", "params": {"ms": 1900}},
                  {"id": "second", "action": "delay", "depends_on": ["first"], "params": {"ms": 1900}},
                  {"id": "third", "action": "delay", "depends_on": ["second"], "params": {"ms": 1900}},
                  {"id": "last", "action": "transform", "depends_on": ["third"],
                   "params": {"value": "greeted ${{ input.who }}"}}
                ]}""");
        long id = client.submit(
                        wf, "{\"who\":\"Ada\"}", SubmitOptions.defaults().queue("live"))
                .executionId();
        driver.get(url("/executions/" + id));
        assertThat(statuses()).containsOnlyKeys("first", "second", "third", "last");
        assertThat(statuses().values()).containsOnly("pending");
        assertThat(text("[data-field=state]")).isEqualTo("available");
        markPage();

        NebulaWorker worker = NebulaWorker.builder()
                .config(config)
                .workerId("browser-test")
                .options(PoolOptions.from(config, "browser-test"))
                .build();
        List<Map<String, String>> seen = new ArrayList<>();
        try {
            worker.start();
            waiting().until(d -> {
                Map<String, String> now = statuses();
                if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(now)) {
                    seen.add(now);
                }
                return text("[data-field=state]").equals("succeeded");
            });
        } finally {
            worker.worker().stop(Duration.ZERO);
        }
        assertThat(statuses().values()).containsOnly("succeeded");
        assertThat(samePage())
                .as("the page followed the execution without a reload")
                .isTrue();
        // The graph was seen on its way (the page refreshes every 2 s; the nodes take 1.9 s each): a
        // node running, and the first one done while the last was not.
        assertThat(seen).anySatisfy(s -> assertThat(s).containsValue("running"));
        assertThat(seen).anySatisfy(s -> {
            assertThat(s.get("first")).isEqualTo("succeeded");
            assertThat(s.get("last")).isNotEqualTo("succeeded");
        });
        assertThat(store.executionGet(id).orElseThrow().state()).isEqualTo(ExecutionState.SUCCEEDED);

        driver.findElement(By.cssSelector("g.node[data-node='last']")).click();
        waiting()
                .until(d -> !d.findElements(By.cssSelector("#node-panel [data-field=params]"))
                        .isEmpty());
        assertThat(text("#node-panel [data-field=params]")).contains("\"value\" : \"greeted Ada\"");
        assertThat(text("#node-panel [data-field=output]")).contains("greeted Ada");
    }

    private static Map<String, String> statuses() {
        Map<String, String> out = new LinkedHashMap<>();
        for (WebElement g : driver.findElements(By.cssSelector("svg.dag g.node"))) {
            out.put(g.getAttribute("data-node"), g.getAttribute("data-status"));
        }
        return out;
    }

    @Test
    void retryCancelAndPauseFromThePagesChangeTheDatabase() {
        long failed = failedExecution("actions", "it broke");
        driver.get(url("/executions/" + failed));
        assertThat(text("[data-field=state]")).isEqualTo("failed");
        driver.findElement(By.linkText("Retry")).click();
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Retry execution " + failed + "?");
        assertThat(store.executionGet(failed).orElseThrow().state())
                .as("nothing changes before the confirmation")
                .isEqualTo(ExecutionState.FAILED);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        waiting().until(d -> !d.findElements(By.cssSelector(".notice")).isEmpty());
        assertThat(text(".notice")).startsWith("Queued again");
        ExecutionView retried = store.executionGet(failed).orElseThrow();
        assertThat(retried.state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(store.historyList(failed))
                .extracting(HistoryEntry::event)
                .last()
                .isEqualTo("retried");

        driver.findElement(By.linkText("Cancel")).click();
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        waiting().until(d -> !d.findElements(By.cssSelector(".notice")).isEmpty());
        assertThat(text(".notice")).isEqualTo("Cancelled.");
        assertThat(store.executionGet(failed).orElseThrow().state()).isEqualTo(ExecutionState.CANCELLED);
        assertThat(text("[data-field=state]")).isEqualTo("cancelled");

        driver.get(url("/"));
        driver.findElement(By.cssSelector("tr[data-queue='actions'] a.button")).click();
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Pause queue 'actions'?");
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        waiting().until(d -> !d.findElements(By.cssSelector(".notice")).isEmpty());
        assertThat(store.queuePausedList()).contains("actions");
        assertThat(text("tr[data-queue='actions'] [data-field=paused]")).isEqualTo("paused");

        driver.findElement(By.cssSelector("tr[data-queue='actions'] a.button")).click();
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Resume queue 'actions'?");
        assertThat(store.queuePausedList())
                .as("nothing changes before the confirmation")
                .contains("actions");
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        waiting().until(d -> !d.findElements(By.cssSelector(".notice")).isEmpty());
        assertThat(store.queuePausedList()).doesNotContain("actions");
        assertThat(text("tr[data-queue='actions'] [data-field=paused]")).isEqualTo("no worker");

        long again = failedExecution("actions", "broke again");
        driver.get(url("/executions/" + again));
        driver.findElement(By.linkText("Retry from scratch")).click();
        assertThat(driver.findElement(By.tagName("h1")).getText())
                .isEqualTo("Retry execution " + again + " from scratch?");
        assertThat(store.executionGet(again).orElseThrow().state()).isEqualTo(ExecutionState.FAILED);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        waiting().until(d -> !d.findElements(By.cssSelector(".notice")).isEmpty());
        assertThat(text(".notice")).startsWith("Queued again from scratch");
        assertThat(store.executionGet(again).orElseThrow().state()).isEqualTo(ExecutionState.AVAILABLE);
        assertThat(store.historyList(again)).last().satisfies(h -> {
            assertThat(h.event()).isEqualTo("retried");
            assertThat(h.detail()).contains("from scratch");
        });
    }

    @Test
    void scriptInAnyStoredValueRendersAsText() throws Exception {
        String evil = "<script>window.__xss = 1</script>";
        String definition = "{\"name\":\"" + "<img src=x onerror=\\\"window.__xss=2\\\">" + "\",\"nodes\":[{\"id\":\""
                + "<script>window.__xss = 3</script>" + "\",\"action\":\"noop\"}]}";
        store.workflowPut(new WorkflowDocument("h-evil", "<img src=x onerror=\"window.__xss=2\">", definition));
        // Submit refuses such a queue name; rows written by older versions or by hand may still
        // carry one, so it is planted afterwards with SQL.
        String queue = "evil-queue";
        Submitted s = store.executionSubmitMany(List.of(SubmitRequest.now(
                                queue,
                                "h-evil",
                                "<img src=x onerror=\"window.__xss=2\">",
                                "{\"note\":\"" + evil.replace("\"", "\\\"") + "\"}",
                                1)
                        .withIdempotencyKey("<script>window.__xss = 5</script>")))
                .get(0);
        List<ClaimedExecution> c =
                store.executionClaim(new ClaimRequest("t", List.of(queue), 1, Duration.ofMinutes(5)));
        store.executionCompleteMany(List.of(
                Completions.fail(c.get(0).lease(), "<script>window.__xss = 6</script>", false, null, List.of())));
        try (var conn = PostgresTestDatabase.connect();
                var update = conn.prepareStatement("UPDATE \"" + schema + "\".executions SET queue = ? WHERE id = ?")) {
            update.setString(1, "<script>window.__xss = 4</script>");
            update.setLong(2, s.executionId());
            assertThat(update.executeUpdate()).isEqualTo(1);
        }

        for (String path : List.of(
                "/",
                "/executions",
                "/executions/" + s.executionId(),
                "/workflows",
                "/workflows/view?hash=h-evil",
                "/search?q=" + Links.encode("<script>window.__xss = 5</script>"))) {
            driver.get(url(path));
            assertThat(driver.executeScript("return typeof window.__xss;"))
                    .as(path)
                    .isEqualTo("undefined");
            assertThat(driver.executeScript("return document.scripts.length;"))
                    .as("only htmx's script element on " + path)
                    .isEqualTo(1L);
            assertThat(driver.findElements(By.tagName("img"))).as(path).isEmpty();
        }
        driver.get(url("/executions/" + s.executionId()));
        assertThat(text("[data-field=error]")).isEqualTo("<script>window.__xss = 6</script>");
        assertThat(text("[data-field=input]")).contains(evil);
        assertThat(driver.findElement(By.tagName("main")).getText())
                .contains("<script>window.__xss = 3</script>")
                .contains("<script>window.__xss = 4</script>")
                .contains("<script>window.__xss = 5</script>")
                .contains("<img src=x onerror=\"window.__xss=2\">");
        driver.findElement(By.cssSelector("g.node")).click();
        waiting()
                .until(d -> !d.findElements(By.cssSelector("#node-panel .node-detail"))
                        .isEmpty());
        assertThat(text("#node-panel h2")).contains("<script>window.__xss = 3</script>");
        assertThat(driver.executeScript("return typeof window.__xss;")).isEqualTo("undefined");
    }

    @Test
    void keysetPagingWalksOneHundredThousandExecutions() {
        store.workflowPut(new WorkflowDocument("h-bulk", "bulk", "{\"name\":\"bulk\",\"nodes\":[]}"));
        List<Long> ids = new ArrayList<>(100_000);
        for (int batch = 0; batch < 5; batch++) {
            List<SubmitRequest> requests = new ArrayList<>(20_000);
            for (int i = 0; i < 20_000; i++) {
                requests.add(SubmitRequest.now("bulk", "h-bulk", "bulk", "{}", 1));
            }
            store.executionSubmitMany(requests).forEach(r -> ids.add(r.executionId()));
        }
        assertThat(ids).hasSize(100_000);

        driver.get(url("/executions?workflow=bulk"));
        List<Long> walked = new ArrayList<>();
        for (int page = 0; page < 4; page++) {
            List<Long> rows = rowIds();
            assertThat(rows).hasSize(Views.PAGE_SIZE);
            if (!walked.isEmpty()) {
                assertThat(rows.get(0)).isLessThan(walked.get(walked.size() - 1));
            }
            walked.addAll(rows);
            driver.findElement(By.cssSelector("a[rel=next]")).click();
        }
        assertThat(walked).doesNotHaveDuplicates().isSortedAccordingTo((a, b) -> Long.compare(b, a));
        // The newest executions come first: the last 200 submitted, in order.
        assertThat(walked).isEqualTo(ids.subList(100_000 - 200, 100_000).reversed());

        // Deep in the table: the page after the 51st oldest execution holds the 50 oldest, and ends.
        long fiftyFirst = ids.get(50);
        ExecutionView v = store.executionGet(fiftyFirst).orElseThrow();
        String cursor = new io.nebula.worker.queue.ExecutionCursor(v.createdAt(), v.id()).token();
        driver.get(url("/executions?workflow=bulk&after=" + cursor));
        assertThat(rowIds()).isEqualTo(ids.subList(0, 50).reversed());
        assertThat(driver.findElements(By.cssSelector("a[rel=next]"))).isEmpty();
    }

    private static List<Long> rowIds() {
        return driver.findElements(By.cssSelector("table.executions tbody tr")).stream()
                .map(tr -> Long.parseLong(tr.getAttribute("data-id")))
                .toList();
    }

    @Test
    void aConsoleBoundBeyondLoopbackRefusesToStartWithoutATokenAndAsksForIt() throws Exception {
        assertThatThrownBy(() -> ConsoleServer.start(
                        new WorkerConfig.Console(false, "0.0.0.0", 0, null),
                        store,
                        workflows,
                        Duration.ofSeconds(3),
                        "test",
                        "test"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("console.token")
                .hasMessageContaining("0.0.0.0");

        String token = "a-long-console-token-for-tests";
        try (ConsoleServer open = ConsoleServer.start(
                new WorkerConfig.Console(false, "0.0.0.0", 0, token),
                store,
                workflows,
                Duration.ofSeconds(3),
                "test",
                "test")) {
            String base = "http://127.0.0.1:" + open.port();
            HttpClient http = HttpClient.newHttpClient();
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/executions"))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode())
                    .isEqualTo(401);
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/executions"))
                                            .header("Authorization", "Bearer " + token)
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode())
                    .isEqualTo(200);

            WebDriver d = driver;
            d.manage().deleteAllCookies();
            d.get(base + "/executions");
            assertThat(d.findElement(By.tagName("h1")).getText()).isEqualTo("Sign in");
            assertThat(d.findElements(By.cssSelector("table.executions"))).isEmpty();
            d.findElement(By.name("token")).sendKeys("not-the-token-at-all");
            d.findElement(By.cssSelector("form button[type=submit]")).click();
            // The refusal is a new page: wait for it rather than read the old one.
            waiting().until(x -> !x.findElements(By.cssSelector(".problem")).isEmpty());
            assertThat(text(".problem")).isEqualTo("That is not the access token.");

            d.findElement(By.name("token")).sendKeys(token);
            d.findElement(By.cssSelector("form button[type=submit]")).click();
            waiting().until(x -> x.findElement(By.tagName("h1")).getText().equals("Executions"));
            assertThat(d.getCurrentUrl()).endsWith("/executions");
            d.get(base + "/");
            assertThat(d.findElement(By.tagName("h1")).getText()).isEqualTo("Overview");
            assertThat(d.manage().getCookieNamed(Guard.COOKIE).getValue())
                    .as("the cookie holds a digest, not the token")
                    .doesNotContain(token);

            d.findElement(By.cssSelector("header form button")).click();
            waiting().until(x -> x.findElement(By.tagName("h1")).getText().equals("Sign in"));
            d.get(base + "/");
            assertThat(d.findElement(By.tagName("h1")).getText()).isEqualTo("Sign in");
        }
    }
}
