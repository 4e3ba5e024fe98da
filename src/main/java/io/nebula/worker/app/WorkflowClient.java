package io.nebula.worker.app;

import io.nebula.worker.action.builtin.SignalAction;
import io.nebula.worker.observe.Tracing;
import io.nebula.worker.queue.CheckedInput;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.InputGuard;
import io.nebula.worker.queue.SignalDelivery;
import io.nebula.worker.queue.SubmitRejectedException;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.SubmitTransaction;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.secret.SecretResolver;
import io.nebula.worker.workflow.DeployedWorkflows;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.NodeSpec;
import io.nebula.worker.workflow.WorkflowInvalidException;
import io.nebula.worker.workflow.WorkflowNotFoundException;
import io.nebula.worker.workflow.Workflows;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Puts work in and reads results out, for applications and the command line. A submit loads and
 * validates the definition, checks each input against the definition's input schema, stores the
 * definition by content hash and enqueues in one round trip; when anything is invalid nothing is
 * written. Definitions come from files ({@link #load}) or, once deployed ({@link #deploy}), from
 * the store by name ({@link #byName}).
 */
public final class WorkflowClient {
    private final ExecutionStore store;
    private final Workflows workflows;
    private final int defaultMaxRetries;
    private final SecretResolver secrets;
    private final Tracing tracing;

    /** A client that does not check secrets at submit (the workers' providers are not known here). */
    public WorkflowClient(ExecutionStore store, Workflows workflows, int defaultMaxRetries) {
        this(store, workflows, defaultMaxRetries, null, Tracing.OFF);
    }

    /**
     * @param secrets the providers of the workers that will run what is submitted (the process's
     *     own, when it runs them): a workflow reading a secret none of them has is refused at
     *     submit; {@code null} checks nothing
     * @param tracing records a {@code submit} span per execution when on
     */
    public WorkflowClient(
            ExecutionStore store, Workflows workflows, int defaultMaxRetries, SecretResolver secrets, Tracing tracing) {
        this.store = store;
        this.workflows = workflows;
        this.defaultMaxRetries = defaultMaxRetries;
        this.secrets = secrets;
        this.tracing = tracing == null ? Tracing.OFF : tracing;
    }

    /**
     * The secrets {@code workflow} reads that {@code resolver} cannot resolve, one message per
     * secret naming its node: {@code node 'reserve': secret 'TOKEN' is not set: looked for
     * environment variable NEBULA_SECRET_TOKEN}. A provider that fails to answer is not counted.
     */
    public static List<String> unresolvedSecrets(LoadedWorkflow workflow, SecretResolver resolver) {
        List<String> out = new ArrayList<>();
        for (NodeSpec n : workflow.workflow().nodes()) {
            for (String problem : resolver.missing(n.secrets())) {
                out.add("node '" + n.id() + "': " + problem);
            }
        }
        return out;
    }

    public ExecutionStore store() {
        return store;
    }

    public Workflows workflows() {
        return workflows;
    }

    /** Loads and validates a JSON or YAML definition file. */
    public LoadedWorkflow load(Path file) throws IOException, WorkflowInvalidException {
        return workflows.load(file);
    }

    /**
     * Validates a definition file and makes it the latest deployed version of its name, so that
     * {@link #byName} (and {@code submit NAME}) runs it from now on. Deploying an earlier version
     * again makes it the latest again.
     */
    public ExecutionStore.WorkflowDeployed deploy(Path file) throws IOException, WorkflowInvalidException {
        LoadedWorkflow w = workflows.load(file);
        storeChildren(w);
        return store.workflowDeploy(w.document());
    }

    /**
     * A stored workflow by reference, compiled for this process's actions: {@code NAME} is the
     * latest deployed version of that name, {@code NAME@HASH} the stored version (deployed or only
     * submitted) whose content hash starts with {@code HASH} (see {@link DeployedWorkflows}).
     * Submit the result with {@link #submit}; executions are pinned to its hash.
     *
     * @throws WorkflowNotFoundException when nothing, or more than one version, matches
     * @throws WorkflowInvalidException when the stored definition does not validate here (an
     *     action this process does not have)
     */
    public LoadedWorkflow byName(String ref) throws WorkflowInvalidException {
        return DeployedWorkflows.byName(store, workflows, ref);
    }

    public Submitted submit(LoadedWorkflow workflow, String inputJson, SubmitOptions options) {
        return submitMany(workflow, List.of(inputJson == null ? "{}" : inputJson), options)
                .get(0);
    }

    /**
     * Enqueues one execution per input, in one round trip. With an idempotency key and several
     * inputs, each input gets the key suffixed with its position ({@code key#0}, {@code key#1}...).
     */
    public List<Submitted> submitMany(LoadedWorkflow workflow, List<String> inputs, SubmitOptions options) {
        List<SubmitRequest> requests =
                requests(workflow, checked(workflow, inputs), keys(inputs.size(), options), options);
        storeDefinitions(workflow);
        return store.executionSubmitMany(requests);
    }

    /**
     * Enqueues inside the caller's open transaction (committed or rolled back with it), the
     * definition and the sub-workflow files it was loaded with stored in that transaction too.
     * Checked first as {@link #submitMany} checks: the inputs, and the stored workflows its
     * sub-workflow nodes name by hash (read outside the transaction).
     *
     * @throws SubmitRejectedException when a sub-workflow named by hash is not stored, or the
     *     executions it would start exceed the limit
     */
    public List<Submitted> submitInTransaction(
            Connection connection, LoadedWorkflow workflow, List<String> inputs, SubmitOptions options) {
        List<SubmitRequest> requests =
                requests(workflow, checked(workflow, inputs), keys(inputs.size(), options), options);
        refuseStoredChildrenProblem(workflow);
        return store.executionSubmitInTransaction(SubmitTransaction.on(connection), workflow.documents(), requests);
    }

    /**
     * Stores {@code workflow}'s definition and the sub-workflow files it was loaded with, and
     * checks that the stored workflows it names by hash exist, so an execution never waits for a
     * child that cannot start. {@link #enqueue} expects this done.
     *
     * @throws SubmitRejectedException when a sub-workflow named by hash is not stored
     */
    public void storeDefinitions(LoadedWorkflow w) {
        storeChildren(w);
        store.workflowPut(w.document());
    }

    private void storeChildren(LoadedWorkflow w) {
        refuseStoredChildrenProblem(w);
        for (WorkflowDocument d : w.documents()) {
            if (!d.hash().equals(w.hash())) {
                store.workflowPut(d);
            }
        }
    }

    /** See {@link Workflows#storedChildrenProblem}: the store holds the workflows named by hash. */
    private void refuseStoredChildrenProblem(LoadedWorkflow w) {
        String problem =
                Workflows.storedChildrenProblem(w, h -> store.workflowGet(h).map(WorkflowDocument::definitionJson));
        if (problem != null) {
            throw new SubmitRejectedException(problem);
        }
    }

    /**
     * Enqueues one execution per input in one round trip, without storing the definition (see
     * {@link #storeDefinitions}) and with inputs {@link #checkInput} accepted: for callers that
     * check before they open the store, or submit in batches. {@code keys.get(i)} is input {@code
     * i}'s idempotency key ({@code null}: none); the options' key is not used.
     */
    public List<Submitted> enqueue(
            LoadedWorkflow workflow, List<CheckedInput> inputs, List<String> keys, SubmitOptions options) {
        return store.executionSubmitMany(requests(workflow, inputs, keys, options));
    }

    /**
     * The retries an execution gets after its first attempt: the options' {@code maxRetries}, else
     * the definition's {@code max_retries}, else this client's default ({@code queue.max_retries}).
     */
    public int maxRetries(LoadedWorkflow workflow, SubmitOptions o) {
        return o.maxRetries() != null
                ? o.maxRetries()
                : workflow.maxRetries() != null ? workflow.maxRetries() : defaultMaxRetries;
    }

    /**
     * Checks one execution input before anything is written: acceptable JSON within {@code
     * maxBytes} first (with its line and column), so a syntax error is not reported as a schema
     * mismatch, then the definition's input schema. {@code where} names the input in messages.
     * The text is parsed once; the result carries the parsed value on to the store.
     *
     * @throws SubmitRejectedException when the input is not acceptable JSON
     * @throws SchemaMismatchException when it does not match the input schema
     */
    public static CheckedInput checkInput(LoadedWorkflow workflow, String input, long maxBytes, String where) {
        return checkInput(workflow, input, maxBytes, Long.MAX_VALUE, where);
    }

    /** As {@link #checkInput(LoadedWorkflow, String, long, String)}, with at most {@code maxValues} JSON values. */
    public static CheckedInput checkInput(
            LoadedWorkflow workflow, String input, long maxBytes, long maxValues, String where) {
        CheckedInput checked = InputGuard.parse(input, maxBytes, maxValues, where);
        List<String> problems = workflow.validateInputValue(checked.value());
        if (!problems.isEmpty()) {
            throw new SchemaMismatchException(where, workflow.name(), problems);
        }
        return checked;
    }

    /** Each input checked; {@code null} or blank is {@code {}}. The store checks the size. */
    private static List<CheckedInput> checked(LoadedWorkflow workflow, List<String> inputs) {
        List<CheckedInput> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            String input = inputs.get(i) == null || inputs.get(i).isBlank() ? "{}" : inputs.get(i);
            String where = inputs.size() == 1 ? "input" : "input #" + (i + 1);
            out.add(checkInput(workflow, input, Long.MAX_VALUE, where));
        }
        return out;
    }

    private static List<String> keys(int n, SubmitOptions o) {
        List<String> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(o.idempotencyKey() == null ? null : n == 1 ? o.idempotencyKey() : o.idempotencyKey() + "#" + i);
        }
        return keys;
    }

    private List<SubmitRequest> requests(
            LoadedWorkflow workflow, List<CheckedInput> inputs, List<String> keys, SubmitOptions o) {
        if (secrets != null) {
            List<String> unresolved = unresolvedSecrets(workflow, secrets);
            if (!unresolved.isEmpty()) {
                throw new SubmitRejectedException("workflow '" + workflow.name()
                        + "' reads secrets this worker cannot resolve, so its nodes would fail: "
                        + String.join("; ", unresolved));
            }
        }
        int retries = maxRetries(workflow, o);
        List<SubmitRequest> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            CheckedInput input = inputs.get(i);
            String trace;
            try {
                trace = tracing.submit(o.traceparent(), workflow.name(), o.queue());
            } catch (IllegalArgumentException e) {
                throw new SubmitRejectedException(e.getMessage());
            }
            out.add(new SubmitRequest(
                    o.queue(),
                    workflow.hash(),
                    workflow.name(),
                    input.json(),
                    o.priority(),
                    o.delay(),
                    o.runAt(),
                    retries + 1,
                    keys.get(i),
                    trace,
                    input));
        }
        return out;
    }

    /**
     * Delivers signal {@code name} to execution {@code executionId} with {@code dataJson} as its
     * data ({@code null} sends {@code {}}). The first delivery of a name counts; later ones are
     * reported {@code DUPLICATE} and change nothing. A finished execution refuses ({@code
     * FINISHED}).
     *
     * @throws IllegalArgumentException when the name is not a valid signal name
     * @throws SubmitRejectedException when the data is not acceptable JSON
     */
    public SignalDelivery signal(long executionId, String name, String dataJson) {
        if (name == null || !SignalAction.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a signal name is 1 to 64 letters, digits, _ . : - (starting with a"
                    + " letter or digit), not '" + name + "'");
        }
        String data = dataJson == null || dataJson.isBlank() ? "{}" : dataJson;
        InputGuard.check(data, Long.MAX_VALUE, Long.MAX_VALUE, "signal '" + name + "'", "data");
        return store.signalSend(executionId, name, data);
    }

    public Optional<ExecutionView> get(long id) {
        return store.executionGet(id);
    }

    /**
     * Waits until the execution reaches a terminal state or the timeout passes, polling with a
     * growing interval (terminal states send no wake-up). Returns the last view seen.
     */
    public ExecutionView awaitTerminal(long id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 10;
        while (true) {
            ExecutionView v = store.executionGet(id)
                    .orElseThrow(() -> new IllegalArgumentException("no execution with id " + id));
            if (v.state().isTerminal() || System.nanoTime() >= deadline) {
                return v;
            }
            Thread.sleep(pause);
            pause = Math.min(500, pause * 2);
        }
    }
}
