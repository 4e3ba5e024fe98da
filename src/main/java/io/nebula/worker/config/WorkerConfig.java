package io.nebula.worker.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, immutable and validated once. Built by {@code ConfigLoader} from, in
 * rising precedence: built-in defaults, the TOML file given by {@code --config}, environment
 * variables, command-line flags. Section and key names are the documented TOML keys (README).
 */
public record WorkerConfig(
        Worker worker,
        Queue queue,
        Database database,
        Health health,
        Tracing tracing,
        Log log,
        Runtime runtime,
        Http http,
        Console console,
        Limits limits,
        Secrets secrets) {

    /** This configuration with {@code h} as its {@code [health]} section. */
    public WorkerConfig withHealth(Health h) {
        return new WorkerConfig(worker, queue, database, h, tracing, log, runtime, http, console, limits, secrets);
    }

    /** This configuration with {@code q} as its {@code [queue]} section. */
    public WorkerConfig withQueue(Queue q) {
        return new WorkerConfig(worker, q, database, health, tracing, log, runtime, http, console, limits, secrets);
    }

    /** This configuration with {@code l} as its {@code [limits]} section. */
    public WorkerConfig withLimits(Limits l) {
        return new WorkerConfig(worker, queue, database, health, tracing, log, runtime, http, console, l, secrets);
    }

    /** This configuration with {@code k} as its {@code [console]} section. */
    public WorkerConfig withConsole(Console k) {
        return new WorkerConfig(worker, queue, database, health, tracing, log, runtime, http, k, limits, secrets);
    }

    /** A configuration with the default {@link Secrets}. */
    public WorkerConfig(
            Worker worker,
            Queue queue,
            Database database,
            Health health,
            Tracing tracing,
            Log log,
            Runtime runtime,
            Http http,
            Console console,
            Limits limits) {
        this(worker, queue, database, health, tracing, log, runtime, http, console, limits, Secrets.defaults());
    }

    /** A configuration with the default {@link Limits}. */
    public WorkerConfig(
            Worker worker,
            Queue queue,
            Database database,
            Health health,
            Tracing tracing,
            Log log,
            Runtime runtime,
            Http http,
            Console console) {
        this(worker, queue, database, health, tracing, log, runtime, http, console, Limits.defaults());
    }

    /**
     * {@code [worker]}.
     *
     * @param concurrency executions run at once by this process ({@code -c}, WORKER_CONCURRENCY)
     * @param workerId the worker pool identifier ({@code -w}, WORKER_ID); several processes may
     *     share it. Defaults to host name plus process id.
     * @param pollInterval how often an idle worker polls ({@code -p}, QUEUE_POLL_INTERVAL_MS)
     * @param heartbeatInterval how often leases are extended; shorter than the visibility timeout
     * @param shutdownTimeout how long running executions get to finish on SIGTERM
     * @param queues the queues this worker claims from
     */
    public record Worker(
            int concurrency,
            String workerId,
            Duration pollInterval,
            Duration heartbeatInterval,
            Duration shutdownTimeout,
            List<String> queues) {
        public Worker {
            queues = List.copyOf(queues);
        }
    }

    /**
     * {@code [queue]}.
     *
     * @param batchSize the most executions claimed in one statement
     * @param visibilityTimeout how long a claim lasts without a heartbeat
     * @param maxRetries retries after the first attempt for retryable failures
     * @param listen wake on NOTIFY (push); {@code false} polls only (PgBouncer transaction pooling)
     * @param maxInputBytes the largest accepted execution input
     * @param quarantineAfter worker deaths after which an execution is failed as poison
     * @param retention how long finished executions are kept before pruning
     * @param retryBackoff the first retry delay; it doubles per attempt, with jitter
     * @param retryBackoffMax the longest retry delay
     */
    public record Queue(
            int batchSize,
            Duration visibilityTimeout,
            int maxRetries,
            boolean listen,
            long maxInputBytes,
            int quarantineAfter,
            Duration retention,
            Duration retryBackoff,
            Duration retryBackoffMax) {}

    /**
     * {@code [database]}.
     *
     * @param url as given (libpq URL, JDBC URL or {@code sqlite:PATH}); never log it unredacted
     * @param maxConnections the connection pool size
     * @param schema the PostgreSQL schema for the tables
     */
    public record Database(DatabaseUrl url, int maxConnections, String schema) {}

    /**
     * {@code [health]}.
     *
     * @param enabled whether the HTTP server for {@code /health}, {@code /ready} and {@code /metrics} runs at all
     * @param port the port ({@code -h}, HEALTH_PORT); 0 picks a free one
     * @param bind the address to bind, all interfaces by default
     * @param checkInterval how often readiness is re-checked against the database
     * @param metrics whether {@code /metrics} is served (ENABLE_METRICS)
     */
    public record Health(boolean enabled, int port, String bind, Duration checkInterval, boolean metrics) {}

    /**
     * {@code [tracing]}: structured start/end records per execution and node; and {@code [otel]}:
     * OpenTelemetry spans.
     */
    public record Tracing(boolean enabled, Otel otel) {
        public Tracing {
            if (otel == null) {
                otel = Otel.OFF;
            }
        }

        /** The log records alone, without OpenTelemetry. */
        public Tracing(boolean enabled) {
            this(enabled, Otel.OFF);
        }
    }

    /**
     * {@code [otel]}: OpenTelemetry traces, exported over OTLP/HTTP, each key matching its standard
     * {@code OTEL_*} variable. Off unless an endpoint is set.
     *
     * @param endpoint the receiver's base URL (spans go to {@code <endpoint>/v1/traces}), or {@code
     *     null}: no spans are made
     * @param headers headers of every export (may hold credentials: never log them)
     * @param timeout the longest one export may take
     * @param serviceName the {@code service.name} resource attribute
     * @param resourceAttributes further resource attributes
     * @param sampler a standard sampler name ({@code parentbased_always_on}, {@code traceidratio}...)
     * @param samplerRatio the ratio of the {@code traceidratio} samplers
     * @param maxQueueSize ended spans waiting for export; more are dropped (and counted)
     * @param maxExportBatchSize most spans in one export request (taken as at most {@code
     *     maxQueueSize})
     * @param scheduleDelay the longest an ended span waits for its batch
     */
    public record Otel(
            String endpoint,
            Map<String, String> headers,
            Duration timeout,
            String serviceName,
            Map<String, String> resourceAttributes,
            String sampler,
            double samplerRatio,
            int maxQueueSize,
            int maxExportBatchSize,
            Duration scheduleDelay) {
        /** No endpoint: tracing is off. */
        public static final Otel OFF = new Otel(
                null,
                Map.of(),
                Duration.ofSeconds(10),
                "nebula-worker",
                Map.of(),
                "parentbased_always_on",
                1.0,
                2048,
                512,
                Duration.ofSeconds(5));

        public Otel {
            headers = Map.copyOf(headers);
            resourceAttributes = Map.copyOf(resourceAttributes);
        }

        public boolean enabled() {
            return endpoint != null;
        }

        /** This configuration exporting to {@code url} (tests, the benchmark). */
        public Otel withEndpoint(String url, Duration delay) {
            return new Otel(
                    url,
                    headers,
                    timeout,
                    serviceName,
                    resourceAttributes,
                    sampler,
                    samplerRatio,
                    maxQueueSize,
                    maxExportBatchSize,
                    delay);
        }

        @Override
        public String toString() {
            return "Otel[endpoint=" + endpoint + ", headers=" + headers.keySet() + ", sampler=" + sampler + "]";
        }
    }

    /**
     * {@code [log]}.
     *
     * @param filter {@code target=level} pairs, as in NEBULA_LOG (or RUST_LOG)
     * @param format "text" or "json"
     */
    public record Log(String filter, String format) {}

    /**
     * {@code [runtime]}.
     *
     * @param maxParallelNodes nodes of one execution that run at once
     * @param inlineDelayMax delays up to this long sleep in place; longer ones free the slot
     * @param pluginsDir a folder of action jars loaded at start, or {@code null}
     * @param maxNodes the most nodes one workflow may have
     */
    public record Runtime(int maxParallelNodes, Duration inlineDelayMax, String pluginsDir, int maxNodes) {}

    /**
     * {@code [http]}: the {@code http.request} action.
     *
     * @param allowPrivateNetworks allow loopback, private and link-local destinations
     * @param maxResponseBytes responses larger than this fail the node
     * @param timeout the default request timeout
     */
    public record Http(boolean allowPrivateNetworks, long maxResponseBytes, Duration timeout) {}

    /**
     * {@code [console]}: the web console.
     *
     * @param enabled whether a worker process also serves it ({@code nebula-worker console} serves
     *     it regardless)
     * @param bind the address to bind, loopback by default
     * @param port the port; 0 picks a free one
     * @param token the access token every request must carry, or {@code null}; never log it
     */
    public record Console(boolean enabled, String bind, int port, String token) {
        /** The defaults: not served by workers, loopback, port 8080, no token. */
        public static Console defaults() {
            return new Console(false, "127.0.0.1", 8080, null);
        }

        @Override
        public String toString() {
            return "Console[enabled=" + enabled + ", bind=" + bind + ", port=" + port + ", token="
                    + (token == null ? "none" : "***") + "]";
        }
    }

    /**
     * {@code [limits]}: the budgets that keep one hostile or careless workflow from taking a worker
     * down or starving the executions beside it. Each breach fails the node (or the execution)
     * permanently with a message naming the setting. See {@code docs/SECURITY.md}.
     *
     * @param expressionBytes bytes the expressions of one evaluation may build
     * @param expressionTimeout longest evaluation of a condition, a node's params or the output
     * @param regexProgramSize largest regular expression, in RE2 instructions (estimated)
     * @param expressionsPerDefinition most expressions in one definition
     * @param compileTimeout longest time compiling one definition's expressions may take
     * @param executionOutputBytes total JSON size of one execution's node outputs
     * @param executionValues most JSON values one execution may hold, its input and node outputs
     *     together
     * @param errorBytes longest stored error text
     * @param definitionCacheBytes compiled definitions kept in memory, weighed by an estimate from their text size
     * @param mapItems most items one map node may run over
     */
    public record Limits(
            long expressionBytes,
            Duration expressionTimeout,
            int regexProgramSize,
            int expressionsPerDefinition,
            Duration compileTimeout,
            long executionOutputBytes,
            long executionValues,
            int errorBytes,
            long definitionCacheBytes,
            int mapItems) {

        /** The built-in defaults, as {@link Setting} lists them. */
        public static Limits defaults() {
            return new Limits(
                    number(Setting.EXPRESSION_BYTES),
                    Duration.ofMillis(number(Setting.EXPRESSION_TIMEOUT_MS)),
                    (int) number(Setting.REGEX_PROGRAM_SIZE),
                    (int) number(Setting.EXPRESSIONS_PER_DEFINITION),
                    Duration.ofMillis(number(Setting.COMPILE_TIMEOUT_MS)),
                    number(Setting.EXECUTION_OUTPUT_BYTES),
                    number(Setting.EXECUTION_VALUES),
                    (int) number(Setting.ERROR_BYTES),
                    number(Setting.DEFINITION_CACHE_BYTES),
                    (int) number(Setting.MAP_ITEMS));
        }

        private static long number(Setting s) {
            return ((Number) s.defaultValue()).longValue();
        }
    }

    /**
     * {@code [secrets]}: where {@code secrets.NAME} in a workflow is looked up, in this order, then
     * in the {@code SecretProvider} plugins. See {@code docs/SECURITY.md}.
     *
     * @param envPrefix {@code secrets.NAME} is the environment variable {@code <envPrefix>NAME};
     *     empty reads no variables
     * @param dir a folder with one file per secret, or {@code null}
     * @param cacheFor how long a resolved value is reused before it is read again
     */
    public record Secrets(String envPrefix, String dir, Duration cacheFor) {
        /** The defaults: {@code NEBULA_SECRET_} variables, no folder, 30 seconds. */
        public static Secrets defaults() {
            return new Secrets(
                    (String) Setting.SECRETS_ENV_PREFIX.defaultValue(),
                    null,
                    Duration.ofSeconds(((Number) Setting.SECRETS_CACHE_SECONDS.defaultValue()).longValue()));
        }
    }
}
