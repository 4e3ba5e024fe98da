package io.nebula.worker.cli;

import io.nebula.worker.app.SchemaMismatchException;
import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowCatalog;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.observe.Tracing;
import io.nebula.worker.queue.CheckedInput;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.InputGuard;
import io.nebula.worker.queue.SubmitRejectedException;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.queue.WorkflowVersion;
import io.nebula.worker.workflow.DeployedWorkflows;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.WorkflowInvalidException;
import io.nebula.worker.workflow.WorkflowNotFoundException;
import io.nebula.worker.workflow.Workflows;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nebula-worker submit FILE} or {@code submit NAME[@HASH]}: validates the workflow (a file,
 * or a version deployed with {@code workflows deploy}) and the input, enqueues, and prints the
 * execution id. {@code --inputs FILE.jsonl} enqueues one execution per line in batches; {@code
 * --wait} follows the execution to its end (see {@link SubmitWait}). Nothing is enqueued when the
 * workflow or any input is invalid (exit 4).
 */
@Command(
        name = "submit",
        description = "Enqueue executions of a workflow file, or of a deployed workflow by name",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:enqueued (with --wait: the execution succeeded)",
            "1:database or I/O failure",
            "2:bad flags or configuration",
            "4:invalid or unknown workflow, or invalid input; nothing was enqueued",
            "6:--wait: the execution failed",
            "7:--wait: the execution was cancelled",
            "8:--wait --timeout: still not finished"
        })
final class SubmitCommand extends OpsCommand {
    @Parameters(
            paramLabel = "FILE|NAME[@HASH]",
            description = "A workflow definition file (JSON or YAML), or the name of a deployed workflow"
                    + " (its latest version; NAME@HASH picks a stored version by the start of its hash)")
    String workflowRef;

    @Option(
            names = "--input",
            paramLabel = "<JSON|@FILE>",
            description = "The input as JSON text, or @FILE to read it from a file (@- reads stdin) [default: {}]")
    String input;

    @Option(
            names = "--inputs",
            paramLabel = "<FILE.jsonl>",
            description = "Enqueue one execution per line of this JSON Lines file, in batches")
    Path inputs;

    @Option(
            names = "--queue",
            paramLabel = "<QUEUE>",
            description = "The queue [default: the first of worker.queues, normally default]")
    String queue;

    @Option(names = "--priority", paramLabel = "<N>", defaultValue = "0", description = "Lower runs first [default: 0]")
    int priority;

    @Option(
            names = "--delay",
            paramLabel = "<DURATION>",
            converter = DurationText.Converter.class,
            description = "Run no earlier than this long from now, e.g. 30s, 5m, 1h")
    Duration delay;

    @Option(
            names = "--run-at",
            paramLabel = "<TIME>",
            converter = DurationText.InstantConverter.class,
            description = "Run no earlier than this ISO-8601 time, e.g. 2026-03-01T10:00:00Z")
    Instant runAt;

    @Option(
            names = "--idempotency-key",
            paramLabel = "<KEY>",
            description = "Submitting again with the same key returns the first execution (with --inputs: KEY#LINE)")
    String idempotencyKey;

    @Option(
            names = "--traceparent",
            paramLabel = "<TRACEPARENT>",
            description = "W3C trace context the execution's trace continues (e.g. the caller's span)"
                    + " [default: a new trace]")
    String traceparent;

    @Option(
            names = "--max-retries",
            paramLabel = "<N>",
            description =
                    "Retries after the first attempt [default: the workflow's max_retries, else queue.max_retries]")
    Integer maxRetries;

    @Option(
            names = "--batch-size",
            paramLabel = "<N>",
            defaultValue = "1000",
            description = "With --inputs: executions per transaction [default: 1000]")
    int batchSize;

    @Option(
            names = "--force",
            description = "Submit to the queue even if no worker has served it and no one created it, and even if"
                    + " a secret the workflow reads cannot be resolved with this configuration")
    boolean force;

    @Option(names = "--wait", description = "Follow the execution to its end; exit 0 only if it succeeded")
    boolean wait;

    @Option(
            names = "--timeout",
            paramLabel = "<DURATION>",
            converter = DurationText.Converter.class,
            description = "With --wait: stop waiting after this long (exit 8) [default: no limit]")
    Duration timeout;

    @Option(
            names = "--progress",
            paramLabel = "<MODE>",
            defaultValue = "auto",
            description = "With --wait: auto (a live line on a terminal), live or plain [default: auto]")
    String progress;

    @Override
    protected int run() throws Exception {
        checkFlags();
        WorkerConfig config = config();
        Workflows workflows = WorkflowCatalog.of(config);
        // A file is checked before the database is touched; a name needs the database first.
        Path file = fileOf(workflowRef);
        LoadedWorkflow fromFile = file == null ? null : load(workflows, file);
        String text = inputs == null ? readInput(config.queue().maxInputBytes()) : null;
        CheckedInput checked = fromFile == null ? null : checkInputs(config, fromFile, text);
        // With tracing configured, each execution's submit span is exported before the command ends.
        try (ExecutionStore store = openStore();
                Tracing tracing = Tracing.create(config.tracing().otel(), null)) {
            // Secrets are checked below against this configuration (see requireResolvableSecrets),
            // so the client checks none.
            WorkflowClient client =
                    new WorkflowClient(store, workflows, config.queue().maxRetries(), null, tracing);
            LoadedWorkflow workflow = fromFile != null ? fromFile : byName(client, store);
            if (fromFile == null) {
                checked = checkInputs(config, workflow, text);
            }
            SubmitOptions options = options(config);
            requireKnownQueue(store, config, options.queue());
            requireResolvableSecrets(config, workflow);
            if (fromFile != null) {
                try {
                    client.storeDefinitions(workflow);
                } catch (SubmitRejectedException e) {
                    throw new CommandFailure(ExitCode.INVALID, e.getMessage() + "; nothing was enqueued");
                }
            }
            if (inputs != null) {
                return submitMany(client, config, workflow, options);
            }
            Submitted s = client.enqueue(workflow, List.of(checked), Arrays.asList(idempotencyKey), options)
                    .get(0);
            if (wait) {
                return new SubmitWait(store, out(), json, ProgressPrinter.create(out(), mode(), root().env()))
                        .follow(s, workflow, options, timeout);
            }
            if (json) {
                JsonViews.print(out(), SubmitWait.submitted(s, workflow, options));
            } else {
                out().println(
                                s.created()
                                        ? "submitted execution " + s.executionId() + " of workflow '" + workflow.name()
                                                + "' on queue '" + options.queue() + "'"
                                        : "execution " + s.executionId() + " already exists for idempotency key '"
                                                + idempotencyKey + "'; nothing new was enqueued");
                out().flush();
            }
            return ExitCode.OK;
        }
    }

    /** The file {@code ref} names, or {@code null} when it names a deployed workflow. */
    static Path fileOf(String ref) {
        return DeployedWorkflows.isFile(ref) ? Path.of(ref) : null;
    }

    /** The deployed workflow {@code workflowRef} names, with a did-you-mean when there is none. */
    private LoadedWorkflow byName(WorkflowClient client, ExecutionStore store) {
        try {
            return client.byName(workflowRef);
        } catch (WorkflowNotFoundException e) {
            List<String> deployed = store.workflowNames().stream()
                    .filter(WorkflowVersion::deployed)
                    .map(WorkflowVersion::name)
                    .toList();
            String guess = NearestName.among(e.name(), deployed);
            throw new CommandFailure(
                    ExitCode.INVALID,
                    "no file '" + workflowRef + "', and " + e.getMessage()
                            + (deployed.isEmpty() ? "" : " (deployed: " + String.join(", ", deployed) + ")")
                            + (guess == null
                                    ? "; nothing was enqueued"
                                    : "; did you mean '" + guess + "'? Nothing was enqueued"));
        } catch (WorkflowInvalidException e) {
            throw new CommandFailure(
                    ExitCode.INVALID,
                    "workflow '" + workflowRef + "' as stored does not validate here ("
                            + e.problems().size() + " problem" + (e.problems().size() == 1 ? "" : "s")
                            + "); nothing was enqueued",
                    e.problems().stream().map(p -> "  " + p.render()).toList());
        }
    }

    /**
     * The input (or, with --inputs, every line) against the size limit and the input schema; the
     * input as checked, or {@code null} with --inputs (the lines are checked again as they are read).
     */
    private CheckedInput checkInputs(WorkerConfig config, LoadedWorkflow workflow, String text) {
        if (inputs != null) {
            List<String> problems;
            try {
                problems = BulkSubmit.check(
                        inputs,
                        workflow,
                        config.queue().maxInputBytes(),
                        config.limits().executionValues());
            } catch (IOException e) {
                throw unreadable(inputs, e);
            }
            if (!problems.isEmpty()) {
                throw new CommandFailure(
                        ExitCode.INVALID,
                        inputs + " has invalid inputs; nothing was enqueued",
                        problems.stream().map(p -> "  " + p).toList());
            }
            return null;
        }
        try {
            return WorkflowClient.checkInput(
                    workflow,
                    text,
                    config.queue().maxInputBytes(),
                    config.limits().executionValues(),
                    "input");
        } catch (SchemaMismatchException e) {
            throw new CommandFailure(
                    ExitCode.INVALID,
                    "the input does not match the input schema of '" + workflow.name() + "'; nothing was enqueued",
                    e.problems().stream().map(p -> "  " + p).toList());
        } catch (SubmitRejectedException e) {
            throw new CommandFailure(ExitCode.INVALID, e.getMessage() + "; nothing was enqueued");
        }
    }

    private void checkFlags() {
        if (input != null && inputs != null) {
            throw new CommandFailure(ExitCode.USAGE, "give --input or --inputs, not both");
        }
        if (delay != null && runAt != null) {
            throw new CommandFailure(ExitCode.USAGE, "give --delay or --run-at, not both");
        }
        if (wait && inputs != null) {
            throw new CommandFailure(
                    ExitCode.USAGE, "--wait follows one execution; use `executions list` to follow a bulk submit");
        }
        if (timeout != null && !wait) {
            throw new CommandFailure(ExitCode.USAGE, "--timeout only applies with --wait");
        }
        if (batchSize < 1 || batchSize > 10_000) {
            throw new CommandFailure(ExitCode.USAGE, "--batch-size must be from 1 to 10000, not " + batchSize);
        }
        if (maxRetries != null && maxRetries < 0) {
            throw new CommandFailure(ExitCode.USAGE, "--max-retries must not be negative");
        }
        String queueProblem = queue == null ? null : InputGuard.queueProblem(queue);
        if (queueProblem != null) {
            throw new CommandFailure(ExitCode.USAGE, "--queue: " + queueProblem + "; nothing was enqueued");
        }
        if (traceparent != null && !Tracing.valid(traceparent)) {
            throw new CommandFailure(
                    ExitCode.USAGE,
                    "--traceparent '" + traceparent + "' is not a W3C traceparent (version-traceid-spanid-flags, e.g."
                            + " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01)");
        }
        try {
            ProgressPrinter.Mode.parse(progress);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(ExitCode.USAGE, "--progress must be auto, live or plain, not '" + progress + "'");
        }
    }

    private ProgressPrinter.Mode mode() {
        return ProgressPrinter.Mode.parse(progress);
    }

    private LoadedWorkflow load(Workflows workflows, Path file) {
        try {
            return workflows.load(file);
        } catch (WorkflowInvalidException e) {
            throw new CommandFailure(
                    ExitCode.INVALID,
                    file + " is not a valid workflow (" + e.problems().size() + " problem"
                            + (e.problems().size() == 1 ? "" : "s") + "); nothing was enqueued",
                    e.problems().stream().map(p -> "  " + p.render()).toList());
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** How to enqueue, from the flags; retries left unset take the client's precedence. */
    private SubmitOptions options(WorkerConfig config) {
        String q = queue != null ? queue : config.worker().queues().get(0);
        if (q.isBlank()) {
            throw new CommandFailure(ExitCode.USAGE, "--queue must not be empty");
        }
        return new SubmitOptions(q, priority, delay, runAt, idempotencyKey, maxRetries, traceparent);
    }

    /** The input text: {@code --input} as given, or read as strict UTF-8 from {@code @FILE}. */
    private String readInput(long maxBytes) {
        if (input == null) {
            return "{}";
        }
        if (!input.startsWith("@")) {
            return input.isBlank() ? "{}" : input;
        }
        String name = input.substring(1);
        try {
            // At most one byte past the limit is read: a huge file or stream is refused, not loaded.
            int cap = (int) Math.min(Integer.MAX_VALUE - 16, maxBytes + 1);
            byte[] bytes;
            if (name.equals("-")) {
                bytes = System.in.readNBytes(cap);
            } else {
                try (java.io.InputStream in = java.nio.file.Files.newInputStream(Path.of(name))) {
                    bytes = in.readNBytes(cap);
                }
            }
            if (bytes.length > maxBytes) {
                throw new CommandFailure(
                        ExitCode.INVALID,
                        (name.equals("-") ? "input from stdin" : "input file " + name) + " is larger than " + maxBytes
                                + " bytes (queue.max_input_bytes); nothing was enqueued");
            }
            String text = InputGuard.decodeUtf8(bytes, "input file " + name);
            return text.isBlank() ? "{}" : text;
        } catch (SubmitRejectedException e) {
            throw new CommandFailure(ExitCode.INVALID, e.getMessage() + "; nothing was enqueued");
        } catch (IOException e) {
            throw unreadable(Path.of(name), e);
        }
    }

    private int submitMany(WorkflowClient client, WorkerConfig config, LoadedWorkflow workflow, SubmitOptions options)
            throws IOException {
        BulkSubmit.Result r = BulkSubmit.submit(
                client,
                workflow,
                options,
                inputs,
                batchSize,
                config.queue().maxInputBytes(),
                config.limits().executionValues());
        if (json) {
            var o = JsonViews.object();
            o.put("workflow", workflow.name());
            o.put("workflow_hash", workflow.hash());
            o.put("queue", options.queue());
            o.put("submitted", r.submitted());
            o.put("created", r.created());
            o.put("batches", r.batches());
            var ids = o.putArray("ids");
            r.ids().forEach(ids::add);
            JsonViews.print(out(), o);
        } else {
            out().println("submitted " + r.submitted() + " executions of workflow '" + workflow.name() + "' on queue '"
                    + options.queue() + "' in " + r.batches() + " batch" + (r.batches() == 1 ? "" : "es")
                    + " (first id " + r.ids().get(0) + ", last id "
                    + r.ids().get(r.ids().size() - 1) + ")"
                    + (r.created() < r.submitted()
                            ? "; " + (r.submitted() - r.created()) + " already existed for their idempotency keys"
                            : ""));
            out().flush();
        }
        return ExitCode.OK;
    }

    /**
     * A secret the workflow reads that none of this configuration's providers has would fail its
     * node on a worker with the same configuration: refused unless forced. With {@code
     * runtime.plugins_dir} set nothing is checked: a plugin may provide it, and plugin code is not
     * run here.
     */
    private void requireResolvableSecrets(WorkerConfig config, LoadedWorkflow workflow) {
        if (force || config.runtime().pluginsDir() != null) {
            return;
        }
        boolean readsSecrets =
                workflow.workflow().nodes().stream().anyMatch(n -> !n.secrets().isEmpty());
        if (!readsSecrets) {
            return;
        }
        List<String> unresolved = WorkflowClient.unresolvedSecrets(
                workflow, WorkflowCatalog.secrets(config, WorkflowCatalog.declaredActions(config), root().env()::get));
        if (!unresolved.isEmpty()) {
            throw new CommandFailure(
                    ExitCode.INVALID,
                    "workflow '" + workflow.name() + "' reads secrets that this configuration cannot resolve, so a"
                            + " worker configured like it would fail those nodes; nothing was enqueued (set them"
                            + " where the workers run, or give --force if the workers have them)",
                    unresolved.stream().map(p -> "  " + p).toList());
        }
    }

    /** A queue no worker served and no operator created is most likely a typo: refused unless forced. */
    private void requireKnownQueue(ExecutionStore store, WorkerConfig config, String q) {
        if (!force) {
            KnownQueues.require(
                    store, config.worker().queues(), q, "nothing was enqueued; give --force to submit to it anyway");
        }
    }

    private static CommandFailure unreadable(Path p, IOException e) {
        String why = e instanceof NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
        return new CommandFailure(ExitCode.INVALID, "cannot read " + p + ": " + why + "; nothing was enqueued");
    }
}
