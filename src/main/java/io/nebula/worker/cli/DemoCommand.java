package io.nebula.worker.cli;

import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowCatalog;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.cli.logging.LogSetup;
import io.nebula.worker.config.DatabaseUrl;
import io.nebula.worker.config.Setting;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.inspect.HumanTime;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.queue.SubmitRejectedException;
import io.nebula.worker.schedule.InvalidScheduleException;
import io.nebula.worker.schedule.ScheduleFile;
import io.nebula.worker.schedule.ScheduleSpec;
import io.nebula.worker.schedule.Schedules;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.WorkflowInvalidException;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nebula-worker demo}: the first thing to run. Starts a worker on the embedded SQLite store
 * ({@code ./data/nebula-demo.db}, unless the configuration names another store), submits every
 * bundled example with inputs that show something ({@link DemoPlan}), prints their progress as it
 * happens (node tries that fail and are retried included), then a results table. It serves the web
 * console (its address is printed first) and keeps serving it, {@code /health}, {@code /ready} and
 * {@code /metrics} until Ctrl-C, printing what happens next
 * (the long delay finishes after two minutes); {@code --exit-when-done} stops as soon as every run
 * got as far as it will without a long wait. The approval example waits for a signal, which the demo
 * delivers itself once the execution is parked; the nightly report is fired by its cron schedule,
 * which the demo stores from the example's schedule file.
 *
 * <p>The demo's worker claims only the queue {@value #QUEUE} and may reach loopback addresses,
 * because its HTTP example calls the demo's own local endpoint instead of the internet. Exit codes:
 * 0 every run reached its expected state, 1 some did not, 4 an example is invalid, 8 time ran out.
 */
@Command(name = "demo", description = "Run a worker on the bundled examples and show them run, fail, retry and succeed")
final class DemoCommand extends OpsCommand {
    static final String QUEUE = "demo";
    /** The secret the payment example reads. */
    static final String PAYMENT_SECRET = "PAYMENT_TOKEN";

    @Option(
            names = "--exit-when-done",
            description = "Stop once every example has finished (or is parked in its long delay)")
    boolean exitWhenDone;

    @Option(
            names = "--examples",
            paramLabel = "<DIR>",
            description = "Folder of example workflows [default: ./examples, else the one next to the jar]")
    Path examples;

    @Option(
            names = "--timeout",
            paramLabel = "<DURATION>",
            defaultValue = "60s",
            converter = DurationText.Converter.class,
            description = "Longest wait for the examples to finish [default: 60s]")
    Duration timeout;

    @Option(
            names = "--progress",
            paramLabel = "<MODE>",
            defaultValue = "auto",
            description = "auto (a live status line on a terminal), live or plain [default: auto]")
    String progress;

    /** The schedules this run stored, by name. */
    private final List<String> storedSchedules = new java.util.ArrayList<>();

    @Override
    protected int run() throws Exception {
        ProgressPrinter.Mode mode;
        try {
            mode = ProgressPrinter.Mode.parse(progress);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(ExitCode.USAGE, "--progress must be auto, live or plain, not '" + progress + "'");
        }
        WorkerConfig config = demoConfig(config());
        if (common.verbosity() == 0
                && Setting.LOG_FILTER.defaultValue().equals(config.log().filter())) {
            // The demo prints its own progress; the worker's info lines would bury it.
            LogSetup.apply(
                    new WorkerConfig.Log("nebula_worker=warn", config.log().format()));
        }
        Path dir = examplesDir();
        ProgressPrinter printer = ProgressPrinter.create(talk(), mode, root().env());
        // The payment example's token is a secret read from an environment variable: the user's
        // own when it is set, else one the demo makes up and hands its worker as that variable.
        String tokenVariable = config.secrets().envPrefix() + PAYMENT_SECRET;
        String given = root().env().get(tokenVariable);
        boolean ownToken = given != null && !given.isEmpty();
        String token = ownToken ? given : "demo-" + java.util.UUID.randomUUID();
        java.util.function.Function<String, String> workerEnv =
                name -> name.equals(tokenVariable) ? token : root().env().get(name);
        try (DemoEndpoint endpoint = new DemoEndpoint(token)) {
            List<DemoPlan.Run> runs = DemoPlan.runs(exampleFiles(dir), endpoint.uri());
            Map<String, LoadedWorkflow> workflows = load(config, dir, runs);
            DemoListener listener = new DemoListener();
            WorkerApp.Running running = start(config, listener, workerEnv);
            DemoSession session = null;
            int code;
            try {
                session = new DemoSession(running, listener, printer, out());
                session.awaitReady(Duration.ofSeconds(30));
                printHeader(config, running, runs.size(), workflows.size());
                if (workflows.containsKey("payment-with-secret.yaml")) {
                    talk().println("  the payment example's token is the secret " + PAYMENT_SECRET + ", read from "
                            + tokenVariable + (ownToken ? " (yours)" : " (not set, so the demo made one up)")
                            + "; it is sent, never stored or shown");
                    talk().println();
                    talk().flush();
                }
                WorkflowClient client = running.worker().client();
                for (DemoPlan.Run r : runs) {
                    if (r.scheduleFile() == null) {
                        session.track(r, submit(client, workflows.get(r.file()), r));
                    }
                }
                for (DemoPlan.Run r : runs) {
                    if (r.scheduleFile() != null) {
                        session.track(r, fireBySchedule(running, dir, r));
                    }
                }
                boolean settled = session.followUntilSettled(timeout);
                int failures = session.printResults(json);
                if (exitWhenDone) {
                    code = !settled ? ExitCode.TIMED_OUT : failures == 0 ? ExitCode.OK : ExitCode.FAILURE;
                } else {
                    printServing(config, running, session);
                    CountDownLatch stop = new CountDownLatch(1);
                    Signals.onTermination(stop::countDown);
                    session.followUntil(stop);
                    talk().println("stopping the demo worker ...");
                    talk().flush();
                    code = ExitCode.OK;
                }
            } finally {
                try {
                    if (!ownsStore(config)) {
                        leaveNoWorkBehind(running, session);
                    }
                } finally {
                    running.close();
                }
            }
            printInspect(config, session);
            return code;
        }
    }

    /**
     * Whether the store is the demo's own file ({@code data/nebula-demo.db}, which the default
     * store becomes): on any other the demo cleans up after itself when it stops.
     */
    static boolean ownsStore(WorkerConfig config) {
        return config.database().url() instanceof DatabaseUrl.Sqlite s
                && s.file()
                        .equals(Path.of("data", "nebula-demo.db")
                                .toAbsolutePath()
                                .normalize());
    }

    /**
     * On a database the demo does not own: deletes the schedules it stored, which would otherwise
     * fire on the demo's queue long after it stopped, and cancels its executions still waiting there
     * (the long delay), which no worker would take. Best effort: what fails is said, not thrown.
     */
    private void leaveNoWorkBehind(WorkerApp.Running running, DemoSession session) {
        ExecutionStore store = running.worker().store();
        try {
            for (String name : storedSchedules) {
                store.scheduleDelete(name);
                talk().println("deleted the demo's schedule '" + name + "'");
            }
            if (session != null) {
                for (long id : session.unfinished()) {
                    store.executionCancel(id, "the demo stopped", "demo");
                    talk().println("cancelled the demo's execution " + id + ", still waiting on queue '" + QUEUE + "'");
                }
            }
        } catch (RuntimeException e) {
            talk().println("could not clean up the demo's work: " + e.getMessage());
        }
        talk().flush();
    }

    /** Where people-facing lines go: stdout, or stderr when stdout carries {@code --json}. */
    private java.io.PrintWriter talk() {
        return json ? err() : out();
    }

    /** The configuration, made into the demo's: its own store file, queue, loopback HTTP, quiet tracing. */
    static WorkerConfig demoConfig(WorkerConfig c) {
        DatabaseUrl url = c.database().url();
        Path defaultFile = Path.of("data", "nebula.db").toAbsolutePath().normalize();
        if (url instanceof DatabaseUrl.Sqlite s && s.file().equals(defaultFile)) {
            url = new DatabaseUrl.Sqlite(
                    Path.of("data", "nebula-demo.db").toAbsolutePath().normalize());
        }
        WorkerConfig.Worker w = c.worker();
        return new WorkerConfig(
                new WorkerConfig.Worker(
                        w.concurrency(),
                        w.workerId(),
                        w.pollInterval(),
                        w.heartbeatInterval(),
                        w.shutdownTimeout(),
                        List.of(QUEUE)),
                c.queue(),
                new WorkerConfig.Database(
                        url, c.database().maxConnections(), c.database().schema()),
                c.health(),
                new WorkerConfig.Tracing(false),
                c.log(),
                c.runtime(),
                new WorkerConfig.Http(
                        true, c.http().maxResponseBytes(), c.http().timeout()),
                new WorkerConfig.Console(
                        true,
                        c.console().bind(),
                        c.console().port(),
                        c.console().token()),
                c.limits(),
                c.secrets().envPrefix().isEmpty()
                        ? new WorkerConfig.Secrets(
                                WorkerConfig.Secrets.defaults().envPrefix(),
                                c.secrets().dir(),
                                c.secrets().cacheFor())
                        : c.secrets());
    }

    private Path examplesDir() {
        if (examples != null) {
            if (!Files.isDirectory(examples)) {
                throw new CommandFailure(ExitCode.USAGE, "--examples " + examples + " is not a folder");
            }
            return examples;
        }
        Path here = Path.of("examples");
        if (Files.isDirectory(here)) {
            return here;
        }
        // The launcher may be run from anywhere: look next to target/nebula-worker.jar.
        try {
            Path code = Path.of(DemoCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path beside = code.toAbsolutePath().getParent().getParent().resolve("examples");
            if (Files.isDirectory(beside)) {
                return beside;
            }
        } catch (Exception e) {
            // fall through to the message below
        }
        throw new CommandFailure(
                ExitCode.USAGE, "cannot find the examples folder; run from the project folder or give --examples DIR");
    }

    /** The workflow files of the examples folder (schedule files, {@code *.schedules.*}, are not). */
    static List<String> exampleFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json") || n.endsWith(".yaml") || n.endsWith(".yml"))
                    .filter(n -> !DemoPlan.isScheduleFile(n))
                    .sorted()
                    .toList();
        }
    }

    private static Map<String, LoadedWorkflow> load(WorkerConfig config, Path dir, List<DemoPlan.Run> runs)
            throws IOException {
        var workflows = WorkflowCatalog.of(config);
        Map<String, LoadedWorkflow> out = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (DemoPlan.Run r : runs) {
            if (out.containsKey(r.file())) {
                continue;
            }
            try {
                out.put(r.file(), workflows.load(dir.resolve(r.file())));
            } catch (WorkflowInvalidException e) {
                e.problems().forEach(p -> problems.add("  " + p.render()));
            }
        }
        if (!problems.isEmpty()) {
            throw new CommandFailure(
                    ExitCode.INVALID, "an example workflow is invalid; nothing was submitted", problems);
        }
        return out;
    }

    private WorkerApp.Running start(
            WorkerConfig config, DemoListener listener, java.util.function.Function<String, String> env)
            throws Exception {
        try {
            return WorkerApp.start(config, List.of(listener), env);
        } catch (CommandFailure e) {
            if (config.health().port() != 0
                    && e.getMessage() != null
                    && e.getMessage()
                            .startsWith("health port " + config.health().port())) {
                // As for the console: the demo is for looking around, so it takes a free port.
                talk().println("note: health port " + config.health().port()
                        + " is already in use; the demo serves /health, /ready and /metrics on a free port instead");
                return start(withHealthPort(config, 0), listener, env);
            }
            throw e;
        } catch (BindException e) {
            if (e.getMessage() != null
                    && e.getMessage().contains("console")
                    && config.console().port() != 0) {
                // The demo is for looking around: a taken console port is no reason to stop it.
                talk().println("note: " + e.getMessage() + "; the demo's console takes a free port instead");
                return start(withConsolePort(config, 0), listener, env);
            }
            throw new CommandFailure(
                    ExitCode.FAILURE,
                    "cannot serve health checks on port " + config.health().port() + ": " + e.getMessage()
                            + "; set HEALTH_PORT to a free port (0 picks one)");
        }
    }

    private static WorkerConfig withHealthPort(WorkerConfig c, int port) {
        WorkerConfig.Health h = c.health();
        return c.withHealth(new WorkerConfig.Health(h.enabled(), port, h.bind(), h.checkInterval(), h.metrics()));
    }

    private static WorkerConfig withConsolePort(WorkerConfig c, int port) {
        WorkerConfig.Console k = c.console();
        return c.withConsole(new WorkerConfig.Console(k.enabled(), k.bind(), port, k.token()));
    }

    private long submit(WorkflowClient client, LoadedWorkflow workflow, DemoPlan.Run r) {
        try {
            return client.submit(workflow, r.input(), SubmitOptions.defaults().queue(QUEUE))
                    .executionId();
        } catch (SubmitRejectedException e) {
            throw new CommandFailure(
                    ExitCode.INVALID, "the demo input for " + r.file() + " was rejected: " + e.getMessage());
        }
    }

    /**
     * Stores the example's schedule from its schedule file (on the demo's queue), makes its first
     * fire due now, and waits for the worker's scheduler to fire it; returns the execution. After
     * that the schedule fires as its file says (the nightly report at 02:00 Berlin time).
     */
    private long fireBySchedule(WorkerApp.Running running, Path dir, DemoPlan.Run r) throws Exception {
        Path file = dir.resolve(r.scheduleFile());
        ScheduleSpec spec;
        try {
            spec = ScheduleFile.read(file).stream()
                    .filter(x -> x.workflow().getFileName().toString().equals(r.file()))
                    .findFirst()
                    .orElseThrow(() -> new CommandFailure(
                            ExitCode.INVALID, file + " has no schedule for " + r.file() + "; nothing was fired"));
        } catch (ScheduleFile.InvalidFileException e) {
            throw new CommandFailure(ExitCode.INVALID, e.getMessage(), e.problems());
        }
        ExecutionStore store = running.worker().store();
        Schedules schedules = new Schedules(
                store,
                running.worker().workflows(),
                QUEUE,
                config().queue().maxRetries(),
                config().queue().maxInputBytes(),
                config().limits().executionValues());
        // Fire times are kept to the millisecond (PostgreSQL's clock has microseconds): the fire
        // this waits for is recorded at this instant, so it must compare equal after the store.
        Instant now = store.databaseNow().truncatedTo(ChronoUnit.MILLIS);
        String name = scheduleName(store, spec.name());
        ScheduleSpec onDemoQueue = new ScheduleSpec(
                name,
                spec.workflow(),
                spec.cron(),
                spec.timezone(),
                spec.inputJson(),
                QUEUE,
                spec.overlap(),
                spec.catchUp(),
                spec.maxRetries(),
                false,
                spec.where());
        Schedules.Resolved resolved;
        try {
            resolved = schedules.resolve(onDemoQueue, now);
        } catch (InvalidScheduleException e) {
            throw new CommandFailure(ExitCode.INVALID, e.getMessage() + "; nothing was fired");
        }
        resolved.workflow().documents().forEach(store::workflowPut);
        store.scheduleSave(resolved.schedule().withNextFireAt(now));
        storedSchedules.add(name);
        talk().println("[" + r.label() + "] stored schedule '" + name + "' from " + r.scheduleFile() + " (cron "
                + resolved.cron().expression() + " in " + resolved.cron().zone() + "); the demo makes its first fire"
                + " due now, then it fires at "
                + HumanTime.instant(resolved.schedule().nextFireAt()));
        talk().flush();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            Schedule s = store.scheduleGet(name).orElseThrow();
            if (s.lastFireAt() != null && !s.lastFireAt().isBefore(now) && s.lastExecutionId() != null) {
                return s.lastExecutionId();
            }
            Thread.sleep(50);
        }
        throw new CommandFailure(
                ExitCode.FAILURE, "the schedule '" + name + "' did not fire within 15 s; is the worker running?");
    }

    /**
     * The name the demo stores a schedule under: the file's, unless a schedule of that name exists
     * on another queue than the demo's (someone else's, which the demo must not replace); then the
     * name with {@code demo-} before it.
     */
    private static String scheduleName(ExecutionStore store, String name) {
        for (String candidate : List.of(name, "demo-" + name)) {
            Optional<Schedule> existing = store.scheduleGet(candidate);
            if (existing.isEmpty() || existing.get().queue().equals(QUEUE)) {
                return candidate;
            }
        }
        throw new CommandFailure(
                ExitCode.CONFLICT,
                "schedules named '" + name + "' and 'demo-" + name + "' exist on other queues than '" + QUEUE
                        + "'; the demo replaces neither, so nothing was fired");
    }

    private void printHeader(WorkerConfig config, WorkerApp.Running running, int runs, int files) {
        talk().println("nebula-worker demo: one worker, concurrency "
                + config.worker().concurrency() + ", store "
                + config.database().url().redacted());
        if (running.console() != null) {
            talk().println("  console " + running.console().uri() + "   (open it in a browser to watch the runs)");
        }
        if (running.health() != null) {
            talk().println("  health  http://localhost:" + running.health().port() + "/health   readiness /ready"
                    + "   metrics /metrics");
        }
        talk().println("  submitting " + runs + " executions of " + files + " example workflows to queue '" + QUEUE
                + "'; the HTTP example calls a local endpoint, not the internet");
        talk().println();
        talk().flush();
    }

    /** The {@code DATABASE_URL=...} prefix that points a command at the demo's store. */
    private static String demoEnv(WorkerConfig config) {
        return config.database().url() instanceof DatabaseUrl.Sqlite s
                ? "DATABASE_URL=sqlite:" + Path.of("").toAbsolutePath().relativize(s.file()) + " "
                : "DATABASE_URL='" + config.database().url().redacted() + "' ";
    }

    /**
     * The demo's last words: where its executions are kept and the two commands that show them
     * again, the list and one execution in full (one whose node needed a second try, when there is
     * one).
     */
    private void printInspect(WorkerConfig config, DemoSession session) {
        if (session == null) {
            return;
        }
        String env = demoEnv(config);
        String where = config.database().url() instanceof DatabaseUrl.Sqlite s
                ? "in " + s.file()
                : "in " + config.database().url().redacted() + " (schema "
                        + config.database().schema() + ")";
        talk().println();
        talk().println("The demo's executions are kept " + where + ". Look at them again with:");
        talk().println("  " + env + "bin/nebula-worker executions list");
        session.showcase().ifPresent(id -> talk().println("  " + env + "bin/nebula-worker executions show " + id));
        if (env.contains("***")) {
            talk().println("  (with your password where *** stands)");
        }
        talk().flush();
    }

    private void printServing(WorkerConfig config, WorkerApp.Running running, DemoSession session) {
        talk().println();
        String env = demoEnv(config);
        session.firstWaiting()
                .ifPresent(id -> talk().println("Execution " + id + " is parked in a durable delay and finishes by"
                        + " itself; meanwhile try:  " + env + "bin/nebula-worker executions explain " + id));
        if (running.console() != null) {
            talk().println("The console stays open at " + running.console().uri()
                    + (running.health() != null
                            ? " and the worker keeps serving http://localhost:"
                                    + running.health().port() + "/metrics"
                            : "")
                    + ". Press Ctrl-C to stop.");
        } else if (running.health() != null) {
            talk().println("The worker keeps serving http://localhost:"
                    + running.health().port() + "/metrics. Press Ctrl-C to stop.");
        } else {
            talk().println("The worker keeps running. Press Ctrl-C to stop.");
        }
        talk().flush();
    }

    /** For the status line: how long ago the demo started. */
    static String since(long startNanos) {
        return HumanTime.duration(Duration.ofNanos(System.nanoTime() - startNanos));
    }
}
