package io.nebula.worker.app;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.config.WorkerIds;
import io.nebula.worker.observe.Tracing;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.pool.PoolOptions;
import io.nebula.worker.pool.Worker;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.runtime.WorkflowRuntime;
import io.nebula.worker.secret.SecretResolver;
import io.nebula.worker.workflow.Workflows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A complete worker for embedding in another application: the store, the actions (built-ins,
 * {@code ServiceLoader} ones, a plugins folder and any registered in code), the workflow runtime
 * and the pool, wired from one {@link WorkerConfig}. The command line builds exactly this.
 *
 * <pre>{@code
 * try (NebulaWorker w = NebulaWorker.builder().config(config).action(new MyAction()).build()) {
 *     w.start();
 *     w.client().submit(w.client().load(Path.of("flow.yaml")), "{}", SubmitOptions.defaults());
 *     ...
 * }
 * }</pre>
 */
public final class NebulaWorker implements AutoCloseable {
    /** The longest {@link #stop} waits for the expression engine's warm-up to finish. */
    private static final Duration WARM_UP_WAIT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(NebulaWorker.class);

    private final WorkerConfig config;
    private final ExecutionStore store;
    private final ActionRegistry actions;
    private final Workflows workflows;
    private final Worker worker;
    private final WorkflowClient client;
    private final SecretResolver secrets;
    private final Tracing tracing;
    private final boolean ownsTracing;
    private volatile Thread warmUp;

    private NebulaWorker(Builder b) {
        this.config = Objects.requireNonNull(b.config, "config");
        String workerId = b.workerId != null
                ? b.workerId
                : WorkerIds.instanceId(config.worker().workerId());
        this.actions = WorkflowCatalog.actions(config, b.actions);
        this.workflows = WorkflowCatalog.workflows(config, actions);
        this.store = b.store != null ? b.store : StoreFactory.open(config, "nebula-worker/" + workerId);
        this.secrets = b.secrets != null ? b.secrets : WorkflowCatalog.secrets(config, actions, b.env);
        WorkflowRuntime runtime =
                new WorkflowRuntime(workflows, actions, WorkflowCatalog.runtimeOptions(config), b.listener, secrets);
        PoolOptions options = b.options != null ? b.options : PoolOptions.from(config, workerId);
        this.ownsTracing = b.tracing == null;
        this.tracing =
                b.tracing != null ? b.tracing : Tracing.create(config.tracing().otel(), options.workerId());
        this.worker = Worker.builder()
                .options(options)
                .store(store, b.store == null || b.ownsStore)
                .runner(runtime)
                .listener(b.listener)
                .tracing(tracing)
                .version(b.version)
                .build();
        this.client = new WorkflowClient(store, workflows, config.queue().maxRetries(), secrets, tracing);
    }

    public static Builder builder() {
        return new Builder();
    }

    public void start() {
        worker.start();
        // The expression engine (about a thousand classes) is built while the worker's start waits
        // for the database, not while the configuration, metrics and store are set up on this
        // thread; the first compile that needs it before it is done waits for it.
        warmUp = Thread.ofPlatform().name("nebula-warm-up").daemon().start(() -> {
            try {
                workflows.warmUp();
            } catch (RuntimeException | LinkageError e) {
                log.warn("expression engine warm-up failed; the first compile will try again: {}", e.toString());
            }
        });
    }

    /**
     * Stops the worker, then exports the spans still queued (when it made its own tracing). Waits
     * up to {@link #WARM_UP_WAIT} for the expression engine's warm-up: a JVM that exits while that
     * thread is still loading classes can crash on JDK 25 when it writes a dynamic class data
     * sharing archive at exit (the launcher's {@code -XX:+AutoCreateSharedArchive}), seen twice
     * in the native lambda-proxy lookup of a worker stopped within seconds of its first start.
     */
    public void stop() {
        worker.stop();
        Thread w = warmUp;
        if (w != null) {
            try {
                w.join(WARM_UP_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ownsTracing) {
            tracing.close();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** This worker's OpenTelemetry traces ({@link Tracing#OFF} unless an endpoint is configured). */
    public Tracing tracing() {
        return tracing;
    }

    public Worker worker() {
        return worker;
    }

    public WorkflowClient client() {
        return client;
    }

    public ExecutionStore store() {
        return store;
    }

    public ActionRegistry actions() {
        return actions;
    }

    public Workflows workflows() {
        return workflows;
    }

    public WorkerConfig config() {
        return config;
    }

    /** Where the secrets that nodes read come from. */
    public SecretResolver secrets() {
        return secrets;
    }

    /** Builds a {@link NebulaWorker}. */
    public static final class Builder {
        private WorkerConfig config;
        private ExecutionStore store;
        private boolean ownsStore;
        private PoolOptions options;
        private String workerId;
        private String version = "0.1.0";
        private WorkerListener listener = WorkerListener.NONE;
        private Tracing tracing;
        private final List<Action> actions = new ArrayList<>();
        private SecretResolver secrets;
        private java.util.function.Function<String, String> env = System::getenv;

        /** Reads environment secrets ({@code secrets.env_prefix}) through {@code e} instead of the process's. */
        public Builder env(java.util.function.Function<String, String> e) {
            this.env = Objects.requireNonNull(e, "env");
            return this;
        }

        /** Resolves secrets with {@code r} instead of the providers the configuration implies. */
        public Builder secrets(SecretResolver r) {
            this.secrets = r;
            return this;
        }

        public Builder config(WorkerConfig c) {
            this.config = c;
            return this;
        }

        /** Uses this store instead of opening the configured one; {@code owns} closes it on stop. */
        public Builder store(ExecutionStore s, boolean owns) {
            this.store = s;
            this.ownsStore = owns;
            return this;
        }

        /** Overrides the pool options derived from the configuration. */
        public Builder options(PoolOptions o) {
            this.options = o;
            return this;
        }

        /** This process's unique id (the lease owner); defaults to the pool id plus host and pid. */
        public Builder workerId(String id) {
            this.workerId = id;
            return this;
        }

        /** Adds an action implemented in code. */
        public Builder action(Action a) {
            actions.add(a);
            return this;
        }

        public Builder listener(WorkerListener l) {
            this.listener = Objects.requireNonNull(l);
            return this;
        }

        /** Uses these traces instead of the configured ones; the caller closes them. */
        public Builder tracing(Tracing t) {
            this.tracing = Objects.requireNonNull(t);
            return this;
        }

        public Builder version(String v) {
            this.version = v;
            return this;
        }

        public NebulaWorker build() {
            return new NebulaWorker(this);
        }
    }
}
