package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.testing.TcpProxy;
import io.nebula.worker.testing.WorkerLauncher;
import io.nebula.worker.testing.WorkerProcess;
import io.nebula.worker.testing.WorkerSettings;
import io.nebula.worker.workflow.LoadedWorkflow;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A worker process pointed at a database it cannot use: a port nothing listens on (transient: it
 * keeps trying, says why in /ready, and stops at once on SIGTERM) and a database that does not
 * exist (permanent: it exits with code 2 at start, saying so in plain words).
 */
@Tag("process")
class DatabaseStartupProcessTest {
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRefusedPortIsRetriedAndExplainedAndSigtermStopsTheWorkerWithinASecond() throws Exception {
        String url = "postgres://postgres@127.0.0.1:" + closedPort() + "/test";
        try (WorkerLauncher launcher =
                new WorkerLauncher(WorkerLauncher.runDir("database-startup", "refused"), Map.of("DATABASE_URL", url))) {
            WorkerProcess w = launcher.start("refused", WorkerSettings.fastTimings());
            Awaitility.await("two failed tries")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> w.log()
                                    .select(e -> e.msg().startsWith("cannot use the database yet"))
                                    .size()
                            >= 2);

            assertThat(w.log()
                            .first(e -> e.msg().startsWith("cannot use the database yet"))
                            .orElseThrow()
                            .msg())
                    .contains("connection refused at 127.0.0.1:")
                    .contains("is PostgreSQL running and listening there?");
            String ready = w.get("/ready").body();
            assertThat(ready)
                    .contains("\"reason\":\"database unreachable: connection to the database refused")
                    .doesNotContain("127.0.0.1");

            long signalled = System.nanoTime();
            w.terminate();

            assertThat(w.awaitExit(Duration.ofSeconds(10))).isZero();
            assertExitedPromptly(signalled);
            String stopped = w.log()
                    .first(e -> e.msg().startsWith("worker stopped after"))
                    .orElseThrow()
                    .msg();
            long ms = Long.parseLong(stopped.replaceAll("\\D+", ""));
            assertThat(ms)
                    .as("time from SIGTERM's stop to the end of the worker's stop")
                    .isLessThan(1000);
        }
    }

    @Test
    void aDatabaseThatDoesNotExistEndsTheWorkerAtStartWithExitCode2() throws Exception {
        PostgresTestDatabase.require();
        String url = "postgres://postgres@127.0.0.1:5432/nebula_no_such_database";
        try (WorkerLauncher launcher =
                new WorkerLauncher(WorkerLauncher.runDir("database-startup", "missing"), Map.of("DATABASE_URL", url))) {
            WorkerProcess w = launcher.start("missing", WorkerSettings.fastTimings());

            assertThat(w.awaitExit(Duration.ofSeconds(90))).isEqualTo(2);
            assertThat(w.tail(5))
                    .contains("nebula-worker: cannot start: database 'nebula_no_such_database' does not exist on"
                            + " 127.0.0.1:5432: create it (createdb nebula_no_such_database) or fix DATABASE_URL");
            assertThat(w.log().select(e -> e.msg().startsWith("cannot use the database yet")))
                    .as("no retries")
                    .isEmpty();
        }
    }

    @Test
    void sigtermStopsARunningWorkerWhoseDatabaseStoppedAnsweringWithinASecond() throws Exception {
        try (PostgresTestStore db = new PostgresTestStore();
                TcpProxy proxy = new TcpProxy("127.0.0.1", 5432)) {
            try (WorkerLauncher launcher =
                    new WorkerLauncher(WorkerLauncher.runDir("database-startup", "lost"), throughProxy(db, proxy))) {
                WorkerProcess w = launcher.start(
                                "lost", WorkerSettings.fastTimings().with("database.schema", db.schema()))
                        .awaitReady(Duration.ofSeconds(90));

                assertThat(stopWithDatabaseFrozen(proxy, w)).isLessThan(1500);
            }
        }
    }

    /**
     * Executions running when the database stops answering cannot have their outcomes or their
     * releases written, so SIGTERM does not wait the grace period for them: the worker stops them,
     * says they are left to their leases, and exits within about a second; the rows stay running, for the
     * rescue once their leases expire.
     */
    @Test
    void sigtermDoesNotWaitTheGracePeriodForExecutionsWhoseOutcomesCannotBeWritten() throws Exception {
        try (PostgresTestStore db = new PostgresTestStore();
                TcpProxy proxy = new TcpProxy("127.0.0.1", 5432)) {
            WorkerSettings settings = WorkerSettings.fastTimings()
                    .with("database.schema", db.schema())
                    .with("worker.shutdown_timeout_seconds", 60)
                    .with("queue.visibility_timeout_seconds", 30)
                    .with("runtime.inline_delay_max_seconds", 600);
            try (WorkerLauncher launcher =
                    new WorkerLauncher(WorkerLauncher.runDir("database-startup", "busy"), throughProxy(db, proxy))) {
                WorkerProcess w = launcher.start("busy", settings).awaitReady(Duration.ofSeconds(90));
                WorkflowClient client = db.client(0);
                LoadedWorkflow slow = FaultWorkflows.load(client, """
                        {"name": "slow", "nodes": [{"id": "nap", "action": "delay", "params": {"ms": 300000}}]}""");
                client.submitMany(slow, List.of("{}", "{}", "{}"), SubmitOptions.defaults());
                Awaitility.await("three executions running")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> running(db) == 3);

                assertThat(stopWithDatabaseFrozen(proxy, w)).isLessThan(1500);
                assertThat(w.log()
                                .messages("stopping 3 running executions without releasing them: the database is"
                                        + " unreachable; they return to the queue when their leases expire (within 30 s),"
                                        + " rescued as after a crash (the attempt counts; one on its"
                                        + " last attempt fails)"))
                        .hasSize(1);
                assertThat(w.log().messages("nebula-worker stopped cleanly")).isEmpty();
                assertThat(w.log()
                                .messages("nebula-worker stopped; 3 executions were left to their leases (their"
                                        + " release could not be written)"))
                        .hasSize(1);
                assertThat(running(db)).as("rows left for the rescue").isEqualTo(3);
            }
        }
    }

    /** The worker environment of {@code db}, reaching PostgreSQL through {@code proxy}. */
    private static Map<String, String> throughProxy(PostgresTestStore db, TcpProxy proxy) {
        Map<String, String> env = new java.util.HashMap<>(db.workerEnv());
        env.put("DATABASE_URL", "postgres://postgres@127.0.0.1:" + proxy.port() + "/test");
        return env;
    }

    /**
     * Freezes the proxy, waits until readiness reports the database gone and sends SIGTERM; checks
     * that the worker exits 0 promptly and returns how long its own stop took, in milliseconds.
     */
    private static long stopWithDatabaseFrozen(TcpProxy proxy, WorkerProcess w) throws Exception {
        proxy.freeze();
        Awaitility.await("readiness to drop").atMost(Duration.ofSeconds(30)).until(() -> w.status("/ready") == 503);
        long signalled = System.nanoTime();
        w.terminate();

        assertThat(w.awaitExit(Duration.ofSeconds(30))).isZero();
        assertExitedPromptly(signalled);
        String stopped = w.log()
                .first(e -> e.msg().startsWith("worker stopped after"))
                .orElseThrow()
                .msg();
        return Long.parseLong(stopped.replaceAll("\\D+", ""));
    }

    private static long running(PostgresTestStore db) throws java.sql.SQLException {
        try (java.sql.Connection c = db.connect();
                java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM executions WHERE state = 'running'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The worker's own log times its stop (asserted under a second above); this bounds the whole
     * exit as seen from outside, JVM shutdown included, so a stop that starts late or an exit that
     * hangs after it fails too. The margin is for a loaded two-core machine.
     */
    private static void assertExitedPromptly(long signalledNanos) {
        long ms = Duration.ofNanos(System.nanoTime() - signalledNanos).toMillis();
        assertThat(ms).as("SIGTERM to process exit, seen from outside").isLessThan(3000);
    }
}
