package io.nebula.worker.console;

import io.nebula.worker.app.NebulaWorker;
import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowCatalog;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.pool.PoolOptions;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import io.nebula.worker.testing.Terminal;
import io.nebula.worker.testing.TestConfigs;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.Workflows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Makes the README's screenshots of the console with the real browser: the overview, an execution
 * with a failed node (opened), and the executions list. Not a test; run it by hand after a change
 * to the pages:
 *
 * <pre>
 * ./mvnw -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.nebula.worker.console.ConsoleScreenshots -Dexec.args=docs
 * </pre>
 *
 * It runs real workers on a temporary SQLite file for the executions it shows; to give the
 * throughput chart fifteen minutes of history without waiting fifteen minutes, it also inserts
 * finished executions backdated over that time straight into the file.
 */
public final class ConsoleScreenshots {
    private ConsoleScreenshots() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs");
        Path dir = Files.createTempDirectory("nebula-screens");
        Path db = dir.resolve("console.db");
        WorkerConfig base = TestConfigs.sqlite(db);
        WorkerConfig config = TestConfigs.withQueues(base, List.of("default", "emails"));
        try (ExecutionStore store = SqliteExecutionStore.open(db, StoreOptions.defaults("screens"))) {
            store.migrate();
            Workflows workflows = WorkflowCatalog.of(config);
            WorkflowClient client = new WorkflowClient(store, workflows, 2);
            Path examples = Path.of(System.getProperty("nebula.project.dir", "."), "examples");
            LoadedWorkflow orders = client.load(examples.resolve("order-pipeline.yaml"));
            LoadedWorkflow hello = client.load(examples.resolve("hello.json"));
            LoadedWorkflow checkout = workflows.loadText(CHECKOUT, "checkout.json");
            LoadedWorkflow digest = workflows.loadText(DIGEST, "digest.json");
            store.workflowPut(digest.document());
            backfill(db, orders, hello, digest);

            List<NebulaWorker> workers = new ArrayList<>();
            for (String id : List.of("worker-a", "worker-b")) {
                NebulaWorker w = NebulaWorker.builder()
                        .config(config)
                        .workerId(id)
                        .options(PoolOptions.from(config, id))
                        .build();
                w.start();
                workers.add(w);
            }
            // Submitted oldest first, so the newest page of the list shows a bit of everything.
            client.submitMany(
                    hello,
                    java.util.Collections.nCopies(40, "{}"),
                    SubmitOptions.defaults().queue("emails").delay(Duration.ofMinutes(20)));
            store.queuePause("reports", true);
            client.submitMany(
                    digest,
                    java.util.Collections.nCopies(12, "{}"),
                    SubmitOptions.defaults().queue("reports"));
            String order = "{\"order\":{\"id\":\"A-1042\",\"express\":true,\"items\":[{\"sku\":\"tea\",\"qty\":2,"
                    + "\"price\":4.5},{\"sku\":\"mug\",\"qty\":1,\"price\":12}]}}";
            long failed = 0;
            for (int i = 0; i < 8; i++) {
                client.submit(orders, order.replace("A-1042", "A-" + (1042 + i)), SubmitOptions.defaults());
                client.submit(
                        hello, "{\"name\":\"Ada\"}", SubmitOptions.defaults().queue("emails"));
                if (i == 3 || i == 6) {
                    failed = client.submit(
                                    checkout,
                                    "{\"cart\":\"c-77" + i + "1\",\"card\":\"tok_visa_4242\",\"amount\":129.9}",
                                    SubmitOptions.defaults().maxRetries(0))
                            .executionId();
                }
            }
            Terminal.await(client.store(), failed, Duration.ofSeconds(60));
            // Long runs keep the workers busy in the picture.
            LoadedWorkflow slow = workflows.loadText(SLOW, "slow.json");
            client.submitMany(slow, java.util.Collections.nCopies(5, "{}"), SubmitOptions.defaults());

            try (ConsoleServer console = ConsoleServer.start(
                            new WorkerConfig.Console(false, "127.0.0.1", 0, null),
                            store,
                            workflows,
                            Duration.ofSeconds(3),
                            "SQLite ./data/nebula.db",
                            "0.1.0");
                    Browser browser = Browser.start(1400, 680)) {
                String base0 = "http://127.0.0.1:" + console.port();
                var d = browser.driver;
                new WebDriverWait(d, Duration.ofSeconds(30))
                        .until(x ->
                                store.workerList(Duration.ofMinutes(1)).stream().anyMatch(w -> w.active() > 0));
                d.get(base0 + "/");
                shot(browser, out.resolve("console-overview.png"));

                d.manage().window().setSize(new Dimension(1400, 1180));
                d.get(base0 + "/executions/" + failed);
                d.findElement(By.cssSelector("g.node[data-node='charge']")).click();
                new WebDriverWait(d, Duration.ofSeconds(10))
                        .until(x -> !x.findElements(By.cssSelector("#node-panel .node-detail"))
                                .isEmpty());
                ((org.openqa.selenium.JavascriptExecutor) d).executeScript("window.scrollTo(0, 0);");
                shot(browser, out.resolve("console-execution-failed.png"));

                d.manage().window().setSize(new Dimension(1400, 900));
                d.get(base0 + "/executions");
                shot(browser, out.resolve("console-executions.png"));
            } finally {
                workers.forEach(w -> w.worker().stop(Duration.ZERO));
            }
        }
        System.out.println("screenshots written to " + out.toAbsolutePath());
    }

    private static void shot(Browser browser, Path file) throws Exception {
        Files.write(file, browser.driver.getScreenshotAs(OutputType.BYTES));
        System.out.println("wrote " + file);
    }

    /** Finished executions spread over the last fifteen minutes, a few of them failed. */
    private static void backfill(Path db, LoadedWorkflow orders, LoadedWorkflow hello, LoadedWorkflow digest)
            throws Exception {
        Random random = new Random(7);
        long now = Instant.now().toEpochMilli();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                PreparedStatement ps = c.prepareStatement("INSERT INTO executions (queue, workflow_hash,"
                        + " workflow_name, input, state, run_at, attempt, max_attempts, created_at, started_at,"
                        + " finished_at, output, last_error, last_event) VALUES (?, ?, ?, '{}', ?, ?, 1, 3, ?, ?, ?, ?,"
                        + " ?, ?)")) {
            c.setAutoCommit(false);
            for (int minute = 15; minute >= 1; minute--) {
                int perMinute = 20 + random.nextInt(40) + (minute < 6 ? 30 : 0);
                for (int i = 0; i < perMinute; i++) {
                    long finished = now - minute * 60_000L + random.nextInt(60_000);
                    boolean email = random.nextInt(3) == 0;
                    boolean report = !email && random.nextInt(8) == 0;
                    boolean fail = random.nextInt(25) == 0;
                    LoadedWorkflow wf = email ? hello : report ? digest : orders;
                    ps.setString(1, email ? "emails" : report ? "reports" : "default");
                    ps.setString(2, wf.hash());
                    ps.setString(3, wf.name());
                    ps.setString(4, (fail ? ExecutionState.FAILED : ExecutionState.SUCCEEDED).dbName());
                    ps.setLong(5, finished - 900);
                    ps.setLong(6, finished - 900);
                    ps.setLong(7, finished - 800);
                    ps.setLong(8, finished);
                    ps.setString(9, fail ? null : "{\"ok\":true}");
                    ps.setString(10, fail ? "node 'charge' (fail) failed after 1 attempt: card declined" : null);
                    ps.setString(11, fail ? "failed" : "succeeded");
                    ps.addBatch();
                }
            }
            ps.executeBatch();
            c.commit();
        }
    }

    private static final String CHECKOUT = """
            {"name": "checkout", "nodes": [
              {"id": "validate_cart", "action": "transform",
               "params": {"value": {"cart": "${{ input.cart }}", "amount": "${{ input.amount }}"}}},
              {"id": "reserve_stock", "action": "log", "depends_on": ["validate_cart"],
               "params": {"message": "reserving cart ${{ nodes.validate_cart.output.cart }}"}},
              {"id": "charge", "action": "fail", "depends_on": ["validate_cart"],
               "params": {"message": "card declined: insufficient funds (HTTP 402 from the payment provider)",
                          "retryable": false}},
              {"id": "create_shipment", "action": "transform", "depends_on": ["reserve_stock", "charge"],
               "params": {"value": "shipment for ${{ input.cart }}"}},
              {"id": "send_receipt", "action": "transform", "depends_on": ["create_shipment"],
               "params": {"value": "receipt"}}
            ]}""";

    private static final String DIGEST = """
            {"name": "nightly-digest", "nodes": [
              {"id": "collect", "action": "noop"},
              {"id": "render", "action": "transform", "depends_on": ["collect"], "params": {"value": "digest"}}
            ]}""";

    private static final String SLOW = """
            {"name": "import-catalog", "nodes": [
              {"id": "fetch", "action": "delay", "params": {"seconds": 1}},
              {"id": "parse", "action": "delay", "depends_on": ["fetch"], "params": {"ms": 1900}},
              {"id": "store", "action": "delay", "depends_on": ["parse"], "params": {"ms": 1900}},
              {"id": "index", "action": "delay", "depends_on": ["store"], "params": {"ms": 1900}}
            ]}""";
}
