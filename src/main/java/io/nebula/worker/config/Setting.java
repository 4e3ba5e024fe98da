package io.nebula.worker.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every configuration key the worker understands: its TOML name ({@code section.key}), type,
 * built-in default, environment variable and flag (when it has them), what it accepts, and a
 * one-line meaning. This table is the single list the loader, the TOML reader, the README table
 * and the tests work from; a key that is not here is rejected.
 *
 * <p>The public contract's keys keep their names and defaults; the others are this implementation's
 * additions, documented in the README's configuration table.
 */
public enum Setting {
    CONCURRENCY(
            "worker.concurrency",
            SettingType.INT,
            4,
            "WORKER_CONCURRENCY",
            "--concurrency",
            Constraint.between(1, 10_000, "a whole number"),
            "executions run at once by this process"),
    WORKER_ID(
            "worker.worker_id",
            SettingType.STRING,
            null,
            "WORKER_ID",
            "--worker-id",
            Constraint.matching(Pattern.compile("\\S.{0,199}"), "a non-blank string of at most 200 characters"),
            "worker pool identifier, shown in logs and worker listings"),
    POLL_INTERVAL_MS(
            "worker.poll_interval_ms",
            SettingType.LONG,
            100L,
            "QUEUE_POLL_INTERVAL_MS",
            "--poll-interval",
            Constraint.atLeast(1),
            "how often an idle worker polls the queue, in milliseconds"),
    HEARTBEAT_INTERVAL_SECONDS(
            "worker.heartbeat_interval_seconds",
            SettingType.LONG,
            30L,
            null,
            null,
            Constraint.atLeast(1),
            "how often leases are extended; must be shorter than the visibility timeout"),
    SHUTDOWN_TIMEOUT_SECONDS(
            "worker.shutdown_timeout_seconds",
            SettingType.LONG,
            30L,
            "WORKER_SHUTDOWN_TIMEOUT_SECONDS",
            null,
            Constraint.atLeast(0),
            "how long running executions get to finish on SIGTERM before they are released"),
    QUEUES(
            "worker.queues",
            SettingType.STRING_LIST,
            List.of("default"),
            "WORKER_QUEUES",
            null,
            Constraint.listOf(
                    Names.QUEUE, "a non-empty list of queue names (letters, digits, _ . : -, at most 64 characters)"),
            "queues this worker claims from (env: comma-separated)"),

    BATCH_SIZE(
            "queue.batch_size",
            SettingType.INT,
            10,
            null,
            null,
            Constraint.between(1, 10_000, "a whole number"),
            "most executions claimed in one statement"),
    VISIBILITY_TIMEOUT_SECONDS(
            "queue.visibility_timeout_seconds",
            SettingType.LONG,
            300L,
            null,
            null,
            Constraint.atLeast(1),
            "how long a claim lasts without a heartbeat"),
    MAX_RETRIES(
            "queue.max_retries",
            SettingType.INT,
            3,
            null,
            null,
            Constraint.between(0, 1_000, "a whole number"),
            "retries after the first attempt for retryable failures"),
    LISTEN(
            "queue.listen",
            SettingType.BOOL,
            true,
            null,
            null,
            Constraint.any(Constraint.BOOLEAN),
            "wake on PostgreSQL NOTIFY; false polls only (for PgBouncer transaction pooling)"),
    MAX_INPUT_BYTES(
            "queue.max_input_bytes",
            SettingType.LONG,
            1_048_576L,
            null,
            null,
            Constraint.atLeast(1),
            "largest accepted execution input, in bytes"),
    QUARANTINE_AFTER(
            "queue.quarantine_after",
            SettingType.INT,
            3,
            null,
            null,
            Constraint.atLeast(1),
            "worker deaths after which an execution is failed as poison"),
    RETENTION_HOURS(
            "queue.retention_hours",
            SettingType.LONG,
            168L,
            null,
            null,
            Constraint.atLeast(1),
            "how long finished executions are kept before pruning, in hours"),
    RETRY_BACKOFF_MS(
            "queue.retry_backoff_ms",
            SettingType.LONG,
            1_000L,
            null,
            null,
            Constraint.atLeast(1),
            "first retry delay in milliseconds; doubles per attempt, with jitter"),
    RETRY_BACKOFF_MAX_MS(
            "queue.retry_backoff_max_ms",
            SettingType.LONG,
            300_000L,
            null,
            null,
            Constraint.atLeast(1),
            "longest retry delay in milliseconds"),

    DATABASE_URL(
            "database.url",
            SettingType.DATABASE_URL,
            "sqlite:./data/nebula.db",
            "DATABASE_URL",
            null,
            Constraint.any("a database URL"),
            "postgres://, postgresql://, jdbc:postgresql: or sqlite:PATH"),
    MAX_CONNECTIONS(
            "database.max_connections",
            SettingType.INT,
            20,
            null,
            null,
            Constraint.between(1, 1_000, "a whole number"),
            "connection pool size"),
    SCHEMA(
            "database.schema",
            SettingType.STRING,
            "nebula",
            null,
            null,
            Constraint.matching(
                    Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}"),
                    "an SQL identifier (letters, digits, _; at most 63 characters)"),
            "PostgreSQL schema holding the tables"),

    HEALTH_ENABLED(
            "health.enabled",
            SettingType.BOOL,
            true,
            null,
            null,
            Constraint.any(Constraint.BOOLEAN),
            "whether the health/metrics HTTP server runs"),
    HEALTH_PORT(
            "health.port",
            SettingType.INT,
            9090,
            "HEALTH_PORT",
            "--health-port",
            Constraint.between(0, 65_535, "a port number"),
            "health check port; 0 picks a free one"),
    HEALTH_BIND(
            "health.bind",
            SettingType.STRING,
            "0.0.0.0",
            null,
            null,
            Constraint.matching(Pattern.compile("\\S+"), "a host name or IP address"),
            "address the health server binds"),
    CHECK_INTERVAL_SECONDS(
            "health.check_interval_seconds",
            SettingType.LONG,
            10L,
            null,
            null,
            Constraint.atLeast(1),
            "how often readiness is re-checked against the database"),
    METRICS(
            "health.metrics",
            SettingType.BOOL,
            true,
            "ENABLE_METRICS",
            null,
            Constraint.any(Constraint.BOOLEAN),
            "whether GET /metrics is served"),

    TRACING_ENABLED(
            "tracing.enabled",
            SettingType.BOOL,
            true,
            null,
            null,
            Constraint.any(Constraint.BOOLEAN),
            "structured start/end log records per execution and node"),

    OTEL_ENDPOINT(
            "otel.exporter_otlp_endpoint",
            SettingType.STRING,
            null,
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            null,
            Constraint.matching(
                    Pattern.compile("https?://[^\\s/?#]+(/[^\\s?#]*)?"),
                    "an http:// or https:// URL of an OTLP/HTTP receiver, e.g. http://otel-collector:4318"),
            "OpenTelemetry traces go to this OTLP/HTTP receiver (spans posted to <endpoint>/v1/traces);"
                    + " none by default: tracing is off"),
    OTEL_PROTOCOL(
            "otel.exporter_otlp_protocol",
            SettingType.STRING,
            "http/protobuf",
            "OTEL_EXPORTER_OTLP_PROTOCOL",
            null,
            Constraint.oneOf("http/protobuf"),
            "OTLP transport; only http/protobuf (port 4318) is supported"),
    OTEL_HEADERS(
            "otel.exporter_otlp_headers",
            SettingType.STRING,
            null,
            "OTEL_EXPORTER_OTLP_HEADERS",
            null,
            Constraint.matching(OtelPairs.SHAPE, "key=value pairs separated by commas (values percent-encoded)"),
            "headers sent with every export, e.g. an API key of a hosted collector; prefer the variable"),
    OTEL_TIMEOUT_MS(
            "otel.exporter_otlp_timeout_ms",
            SettingType.LONG,
            10_000L,
            "OTEL_EXPORTER_OTLP_TIMEOUT",
            null,
            Constraint.between(1, 600_000, "a whole number of milliseconds"),
            "longest one export may take; a slow collector never delays an execution, spans queue meanwhile"),
    OTEL_SERVICE_NAME(
            "otel.service_name",
            SettingType.STRING,
            "nebula-worker",
            "OTEL_SERVICE_NAME",
            null,
            Constraint.matching(Pattern.compile("\\S.{0,254}"), "a non-blank name of at most 255 characters"),
            "service.name of the spans"),
    OTEL_RESOURCE_ATTRIBUTES(
            "otel.resource_attributes",
            SettingType.STRING,
            null,
            "OTEL_RESOURCE_ATTRIBUTES",
            null,
            Constraint.matching(OtelPairs.SHAPE, "key=value pairs separated by commas (values percent-encoded)"),
            "resource attributes of the spans, e.g. deployment.environment=prod,service.namespace=jobs"),
    OTEL_SAMPLER(
            "otel.traces_sampler",
            SettingType.STRING,
            "parentbased_always_on",
            "OTEL_TRACES_SAMPLER",
            null,
            Constraint.oneOf(
                    "parentbased_always_on",
                    "parentbased_always_off",
                    "parentbased_traceidratio",
                    "always_on",
                    "always_off",
                    "traceidratio"),
            "which traces are recorded; parentbased_* follow the submitter's decision"),
    OTEL_SAMPLER_ARG(
            "otel.traces_sampler_arg",
            SettingType.STRING,
            "1.0",
            "OTEL_TRACES_SAMPLER_ARG",
            null,
            Constraint.matching(Pattern.compile("0|1|0?\\.[0-9]{1,9}|1\\.0{1,9}"), "a ratio from 0 to 1, e.g. 0.25"),
            "the ratio of the traceidratio samplers"),
    OTEL_QUEUE_SIZE(
            "otel.bsp_max_queue_size",
            SettingType.INT,
            2048,
            "OTEL_BSP_MAX_QUEUE_SIZE",
            null,
            Constraint.between(1, 1_000_000, "a whole number"),
            "ended spans waiting for export; when full, new spans are dropped and counted"),
    OTEL_EXPORT_BATCH_SIZE(
            "otel.bsp_max_export_batch_size",
            SettingType.INT,
            512,
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
            null,
            Constraint.between(1, 1_000_000, "a whole number"),
            "most spans sent in one export request; at most otel.bsp_max_queue_size"),
    OTEL_SCHEDULE_DELAY_MS(
            "otel.bsp_schedule_delay_ms",
            SettingType.LONG,
            5_000L,
            "OTEL_BSP_SCHEDULE_DELAY",
            null,
            Constraint.between(1, 3_600_000, "a whole number of milliseconds"),
            "longest time an ended span waits before its batch is exported"),

    LOG_FILTER(
            "log.filter",
            SettingType.STRING,
            "nebula_worker=info",
            "NEBULA_LOG",
            null,
            Constraint.any("target=level pairs separated by commas"),
            "log levels, e.g. nebula_worker=debug,com.zaxxer.hikari=warn (RUST_LOG is read when NEBULA_LOG is unset)"),
    LOG_FORMAT(
            "log.format",
            SettingType.STRING,
            "text",
            "NEBULA_LOG_FORMAT",
            "--log-format",
            Constraint.oneOf("text", "json"),
            "log line format: text or json"),

    MAX_PARALLEL_NODES(
            "runtime.max_parallel_nodes",
            SettingType.INT,
            8,
            null,
            null,
            Constraint.between(1, 1_000, "a whole number"),
            "nodes of one execution that run at once"),
    INLINE_DELAY_MAX_SECONDS(
            "runtime.inline_delay_max_seconds",
            SettingType.LONG,
            5L,
            null,
            null,
            Constraint.atLeast(0),
            "delays up to this long wait in place; longer ones free the slot"),
    PLUGINS_DIR(
            "runtime.plugins_dir",
            SettingType.STRING,
            null,
            null,
            null,
            Constraint.matching(Pattern.compile(".+"), "a folder path"),
            "folder of action jars loaded at start; none by default"),
    MAX_NODES(
            "runtime.max_nodes",
            SettingType.INT,
            1000,
            null,
            null,
            Constraint.between(1, 100_000, "a whole number"),
            "most nodes one workflow may have"),

    ALLOW_PRIVATE_NETWORKS(
            "http.allow_private_networks",
            SettingType.BOOL,
            false,
            null,
            null,
            Constraint.any(Constraint.BOOLEAN),
            "let the http.request action reach loopback, private and link-local addresses"),
    MAX_RESPONSE_BYTES(
            "http.max_response_bytes",
            SettingType.LONG,
            1_048_576L,
            null,
            null,
            Constraint.atLeast(1),
            "responses larger than this fail the node"),
    HTTP_TIMEOUT_SECONDS(
            "http.timeout_seconds",
            SettingType.LONG,
            30L,
            null,
            null,
            Constraint.atLeast(1),
            "default request timeout of the http.request action"),

    CONSOLE_ENABLED(
            "console.enabled",
            SettingType.BOOL,
            false,
            "NEBULA_CONSOLE_ENABLED",
            null,
            Constraint.any(Constraint.BOOLEAN),
            "whether a worker also serves the web console (`nebula-worker console` serves it either way)"),
    CONSOLE_BIND(
            "console.bind",
            SettingType.STRING,
            "127.0.0.1",
            "NEBULA_CONSOLE_BIND",
            null,
            Constraint.matching(Pattern.compile("\\S+"), "a host name or IP address"),
            "address the web console binds; any but a loopback address needs console.token"),
    CONSOLE_PORT(
            "console.port",
            SettingType.INT,
            8080,
            "NEBULA_CONSOLE_PORT",
            null,
            Constraint.between(0, 65_535, "a port number"),
            "web console port; 0 picks a free one"),
    CONSOLE_TOKEN(
            "console.token",
            SettingType.STRING,
            null,
            "NEBULA_CONSOLE_TOKEN",
            null,
            Constraint.matching(
                    Pattern.compile("[\\x21-\\x7e]{16,512}"),
                    "at least 16 printable ASCII characters without spaces (e.g. `openssl rand -hex 24`)"),
            "access token every console request must carry; none by default"),

    EXPRESSION_BYTES(
            "limits.expression_bytes",
            SettingType.LONG,
            4_194_304L,
            null,
            null,
            Constraint.atLeast(1_024),
            "bytes the expressions of one evaluation may build (string, bytes and list concatenation, conversions)"),
    EXPRESSION_TIMEOUT_MS(
            "limits.expression_timeout_ms",
            SettingType.LONG,
            1_000L,
            null,
            null,
            Constraint.atLeast(1),
            "longest evaluation of a node's condition or params, or of the output mapping, in milliseconds"),
    REGEX_PROGRAM_SIZE(
            "limits.regex_program_size",
            SettingType.INT,
            5_000,
            null,
            null,
            Constraint.between(16, 1_000_000, "a whole number"),
            "largest regular expression matches() may use, in RE2 instructions, estimated before compiling"),
    EXPRESSIONS_PER_DEFINITION(
            "limits.expressions_per_definition",
            SettingType.INT,
            10_000,
            null,
            null,
            Constraint.between(1, 10_000_000, "a whole number"),
            "most expressions one workflow definition may hold"),
    COMPILE_TIMEOUT_MS(
            "limits.compile_timeout_ms",
            SettingType.LONG,
            10_000L,
            null,
            null,
            Constraint.atLeast(1),
            "longest time compiling one definition's expressions may take, in milliseconds"),
    EXECUTION_OUTPUT_BYTES(
            "limits.execution_output_bytes",
            SettingType.LONG,
            8_388_608L,
            null,
            null,
            Constraint.atLeast(1_024),
            "total JSON size of the node outputs of one execution"),
    EXECUTION_VALUES(
            "limits.execution_values",
            SettingType.LONG,
            100_000L,
            null,
            null,
            Constraint.atLeast(1_000),
            "most JSON values (objects, arrays, strings, numbers, booleans, nulls) one execution may hold: its input"
                    + " and every node output together"),
    ERROR_BYTES(
            "limits.error_bytes",
            SettingType.INT,
            8_192,
            null,
            null,
            Constraint.between(256, 1_048_576, "a whole number"),
            "longest error text stored or logged for a node or an execution; longer ones are cut"),
    DEFINITION_CACHE_BYTES(
            "limits.definition_cache_bytes",
            SettingType.LONG,
            33_554_432L,
            null,
            null,
            Constraint.atLeast(1_048_576),
            "memory for the cache of compiled workflow definitions (weighed by an estimate from their text size)"),
    MAP_ITEMS(
            "limits.map_items",
            SettingType.INT,
            10_000,
            null,
            null,
            Constraint.between(1, 10_000_000, "a whole number"),
            "most items one map node may run over; a map over more fails its node"),

    SECRETS_ENV_PREFIX(
            "secrets.env_prefix",
            SettingType.STRING,
            "NEBULA_SECRET_",
            "NEBULA_SECRETS_ENV_PREFIX",
            null,
            Constraint.matching(
                    Pattern.compile("|[A-Za-z_][A-Za-z0-9_]{0,63}"),
                    "letters, digits and _ (not starting with a digit, at most 64), or empty to read no variables"),
            "secrets.NAME is the environment variable <prefix>NAME; empty turns environment secrets off"),
    SECRETS_DIR(
            "secrets.dir",
            SettingType.STRING,
            null,
            "NEBULA_SECRETS_DIR",
            null,
            Constraint.matching(Pattern.compile(".+"), "a folder path"),
            "folder with one file per secret, named after it (a mounted Kubernetes Secret); none by default"),
    SECRETS_CACHE_SECONDS(
            "secrets.cache_seconds",
            SettingType.LONG,
            30L,
            "NEBULA_SECRETS_CACHE_SECONDS",
            null,
            Constraint.between(0, 86_400, "a whole number"),
            "how long a resolved secret is reused before it is read again (rotation delay); 0 reads it every time");

    /** The environment variable read for {@link #LOG_FILTER} when {@code NEBULA_LOG} is unset. */
    public static final String LOG_FILTER_FALLBACK_ENV = "RUST_LOG";

    private final String key;
    private final SettingType type;
    private final Object defaultValue;
    private final String env;
    private final String flag;
    private final Constraint constraint;
    private final String meaning;

    Setting(
            String key,
            SettingType type,
            Object defaultValue,
            String env,
            String flag,
            Constraint constraint,
            String meaning) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.env = env;
        this.flag = flag;
        this.constraint = constraint;
        this.meaning = meaning;
    }

    /** The TOML key with its section, e.g. {@code worker.concurrency}. */
    public String key() {
        return key;
    }

    /** The TOML section, e.g. {@code worker}. */
    public String section() {
        return key.substring(0, key.indexOf('.'));
    }

    /** The key inside its section, e.g. {@code concurrency}. */
    public String keyInSection() {
        return key.substring(key.indexOf('.') + 1);
    }

    /** The built-in default, or {@code null} when it is computed (worker id) or absent. */
    public Object defaultValue() {
        return defaultValue;
    }

    /** The environment variable that sets this key, if any. */
    public Optional<String> env() {
        return Optional.ofNullable(env);
    }

    /** The long command-line flag that sets this key, if any. */
    public Optional<String> flag() {
        return Optional.ofNullable(flag);
    }

    /** What values are accepted, in the words error messages use. */
    public String allowed() {
        return constraint.allowed();
    }

    /** A one-line meaning for documentation. */
    public String meaning() {
        return meaning;
    }

    SettingType type() {
        return type;
    }

    Constraint constraint() {
        return constraint;
    }

    /** The setting with this TOML key, if any. */
    public static Optional<Setting> byKey(String key) {
        return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst();
    }

    /** The TOML sections, in declaration order. */
    public static List<String> sections() {
        return Arrays.stream(values()).map(Setting::section).distinct().toList();
    }
}
