package io.nebula.worker.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Builds the one {@link WorkerConfig}. This is the only place that knows the precedence: built-in
 * defaults, then the TOML file ({@code --config}, else {@code NEBULA_CONFIG}), then environment
 * variables, then command-line flags; a later layer replaces single keys of an earlier one. Every
 * value is checked once, here, against {@link Setting}; the first problem ends loading with a
 * {@link ConfigException} naming the key, its source and what is allowed.
 *
 * <p>Environment variables are read from the map given, never from {@link System#getenv()}, so
 * tests control them. An empty variable counts as unset. A relative {@code sqlite:} path is
 * resolved against the working directory given.
 */
public final class ConfigLoader {
    /** The variable naming the TOML file when {@code --config} is not given. */
    public static final String CONFIG_ENV = "NEBULA_CONFIG";

    private final Map<String, String> env;
    private final Path workingDir;
    private final Supplier<String> defaultWorkerId;

    /** A loader over {@code env}, resolving paths against the current directory. */
    public ConfigLoader(Map<String, String> env) {
        this(env, Path.of("").toAbsolutePath(), () -> WorkerIds.defaultId(env));
    }

    /**
     * @param env the environment variables
     * @param workingDir the directory a relative SQLite path is resolved against
     * @param defaultWorkerId supplies the worker id when none is configured
     */
    public ConfigLoader(Map<String, String> env, Path workingDir, Supplier<String> defaultWorkerId) {
        this.env = Map.copyOf(env);
        this.workingDir = workingDir;
        this.defaultWorkerId = defaultWorkerId;
    }

    /** Shorthand for {@code new ConfigLoader(env).load(configFile, flags)}. */
    public static WorkerConfig load(Path configFile, Map<String, String> env, FlagOverrides flags) {
        return new ConfigLoader(env).load(configFile, flags);
    }

    /**
     * Loads and validates the configuration.
     *
     * @param configFile the {@code --config} file, or {@code null} to use {@code NEBULA_CONFIG} (or none)
     * @param flags the command-line layer
     * @throws ConfigException on the first invalid, unknown or inconsistent value
     */
    public WorkerConfig load(Path configFile, FlagOverrides flags) {
        Map<Setting, SourcedValue> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            if (s.defaultValue() != null) {
                values.put(s, new SourcedValue(s.defaultValue(), Source.builtIn()));
            }
        }
        configPath(configFile).ifPresent(p -> values.putAll(TomlFile.read(p, pathSource(configFile))));
        for (Setting s : Setting.values()) {
            envVariable(s).ifPresent(name -> values.put(s, fromText(s, env.get(name), Source.env(name))));
        }
        flags.values().forEach((s, f) -> values.put(s, fromText(s, f.text(), Source.flag(f.flag()))));
        values.computeIfAbsent(Setting.WORKER_ID, s -> new SourcedValue(defaultWorkerId.get(), Source.builtIn()));
        values.values().removeIf(v -> v.value() == null);
        values.forEach(ConfigLoader::check);
        return new ConfigBuilder(values, workingDir, flags.verbosity()).build();
    }

    private Optional<Path> configPath(Path configFile) {
        if (configFile != null) {
            return Optional.of(configFile);
        }
        String fromEnv = env.get(CONFIG_ENV);
        return fromEnv == null || fromEnv.isBlank() ? Optional.empty() : Optional.of(Path.of(fromEnv.strip()));
    }

    private static Source pathSource(Path configFile) {
        return configFile != null ? Source.flag("--config") : Source.env(CONFIG_ENV);
    }

    /** The variable that sets {@code s} in this environment, if one is set and non-empty. */
    private Optional<String> envVariable(Setting s) {
        Optional<String> primary = s.env().filter(this::isSet);
        if (primary.isEmpty() && s == Setting.LOG_FILTER && isSet(Setting.LOG_FILTER_FALLBACK_ENV)) {
            return Optional.of(Setting.LOG_FILTER_FALLBACK_ENV);
        }
        return primary;
    }

    private boolean isSet(String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }

    private static SourcedValue fromText(Setting s, String text, Source source) {
        try {
            return new SourcedValue(s.type().fromText(text), source);
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid(s, source, e.getMessage());
        }
    }

    private static void check(Setting s, SourcedValue v) {
        if (s.type() == SettingType.DATABASE_URL || s == Setting.LOG_FILTER) {
            return; // checked when parsed, with their own messages
        }
        if (!s.constraint().accepts(v.value())) {
            String found = s == Setting.CONSOLE_TOKEN || s == Setting.OTEL_HEADERS
                    // A secret, even a malformed one, is never echoed.
                    ? "found a value of " + ((String) v.value()).length() + " characters"
                    : "found " + shown(v.value());
            throw ConfigException.invalid(s, v.source(), found);
        }
    }

    private static String shown(Object value) {
        if (value instanceof String str) {
            return "\"" + str + "\"";
        }
        if (value instanceof List<?> list && list.isEmpty()) {
            return "an empty list";
        }
        return String.valueOf(value);
    }

    /** Turns checked values into the record tree; checks the rules that involve two keys. */
    private record ConfigBuilder(Map<Setting, SourcedValue> values, Path workingDir, int verbosity) {

        WorkerConfig build() {
            requireShorter(Setting.HEARTBEAT_INTERVAL_SECONDS, Setting.VISIBILITY_TIMEOUT_SECONDS);
            if (num(Setting.RETRY_BACKOFF_MAX_MS) < num(Setting.RETRY_BACKOFF_MS)) {
                throw new ConfigException(
                        Setting.RETRY_BACKOFF_MAX_MS.key(),
                        Setting.RETRY_BACKOFF_MAX_MS.key() + " (" + describe(Setting.RETRY_BACKOFF_MAX_MS)
                                + ") must be at least " + Setting.RETRY_BACKOFF_MS.key() + " ("
                                + describe(Setting.RETRY_BACKOFF_MS) + ")");
            }
            SourcedValue batch = values.get(Setting.OTEL_EXPORT_BATCH_SIZE);
            if (batch.source().kind() != Source.Kind.DEFAULT
                    && num(Setting.OTEL_EXPORT_BATCH_SIZE) > num(Setting.OTEL_QUEUE_SIZE)) {
                throw new ConfigException(
                        Setting.OTEL_EXPORT_BATCH_SIZE.key(),
                        Setting.OTEL_EXPORT_BATCH_SIZE.key() + " (" + describe(Setting.OTEL_EXPORT_BATCH_SIZE)
                                + ") must be at most " + Setting.OTEL_QUEUE_SIZE.key() + " ("
                                + describe(Setting.OTEL_QUEUE_SIZE) + ")");
            }
            return new WorkerConfig(
                    new WorkerConfig.Worker(
                            (int) num(Setting.CONCURRENCY),
                            str(Setting.WORKER_ID),
                            Duration.ofMillis(num(Setting.POLL_INTERVAL_MS)),
                            Duration.ofSeconds(num(Setting.HEARTBEAT_INTERVAL_SECONDS)),
                            Duration.ofSeconds(num(Setting.SHUTDOWN_TIMEOUT_SECONDS)),
                            list(Setting.QUEUES)),
                    new WorkerConfig.Queue(
                            (int) num(Setting.BATCH_SIZE),
                            Duration.ofSeconds(num(Setting.VISIBILITY_TIMEOUT_SECONDS)),
                            (int) num(Setting.MAX_RETRIES),
                            bool(Setting.LISTEN),
                            num(Setting.MAX_INPUT_BYTES),
                            (int) num(Setting.QUARANTINE_AFTER),
                            Duration.ofHours(num(Setting.RETENTION_HOURS)),
                            Duration.ofMillis(num(Setting.RETRY_BACKOFF_MS)),
                            Duration.ofMillis(num(Setting.RETRY_BACKOFF_MAX_MS))),
                    new WorkerConfig.Database(databaseUrl(), (int) num(Setting.MAX_CONNECTIONS), str(Setting.SCHEMA)),
                    new WorkerConfig.Health(
                            bool(Setting.HEALTH_ENABLED),
                            (int) num(Setting.HEALTH_PORT),
                            str(Setting.HEALTH_BIND),
                            Duration.ofSeconds(num(Setting.CHECK_INTERVAL_SECONDS)),
                            bool(Setting.METRICS)),
                    new WorkerConfig.Tracing(
                            bool(Setting.TRACING_ENABLED),
                            new WorkerConfig.Otel(
                                    str(Setting.OTEL_ENDPOINT),
                                    OtelPairs.parse(str(Setting.OTEL_HEADERS)),
                                    Duration.ofMillis(num(Setting.OTEL_TIMEOUT_MS)),
                                    str(Setting.OTEL_SERVICE_NAME),
                                    OtelPairs.parse(str(Setting.OTEL_RESOURCE_ATTRIBUTES)),
                                    str(Setting.OTEL_SAMPLER),
                                    Double.parseDouble(str(Setting.OTEL_SAMPLER_ARG)),
                                    (int) num(Setting.OTEL_QUEUE_SIZE),
                                    (int) num(Setting.OTEL_EXPORT_BATCH_SIZE),
                                    Duration.ofMillis(num(Setting.OTEL_SCHEDULE_DELAY_MS)))),
                    new WorkerConfig.Log(logFilter().toString(), str(Setting.LOG_FORMAT)),
                    new WorkerConfig.Runtime(
                            (int) num(Setting.MAX_PARALLEL_NODES),
                            Duration.ofSeconds(num(Setting.INLINE_DELAY_MAX_SECONDS)),
                            str(Setting.PLUGINS_DIR),
                            (int) num(Setting.MAX_NODES)),
                    new WorkerConfig.Http(
                            bool(Setting.ALLOW_PRIVATE_NETWORKS),
                            num(Setting.MAX_RESPONSE_BYTES),
                            Duration.ofSeconds(num(Setting.HTTP_TIMEOUT_SECONDS))),
                    new WorkerConfig.Console(
                            bool(Setting.CONSOLE_ENABLED),
                            str(Setting.CONSOLE_BIND),
                            (int) num(Setting.CONSOLE_PORT),
                            str(Setting.CONSOLE_TOKEN)),
                    new WorkerConfig.Limits(
                            num(Setting.EXPRESSION_BYTES),
                            Duration.ofMillis(num(Setting.EXPRESSION_TIMEOUT_MS)),
                            (int) num(Setting.REGEX_PROGRAM_SIZE),
                            (int) num(Setting.EXPRESSIONS_PER_DEFINITION),
                            Duration.ofMillis(num(Setting.COMPILE_TIMEOUT_MS)),
                            num(Setting.EXECUTION_OUTPUT_BYTES),
                            num(Setting.EXECUTION_VALUES),
                            (int) num(Setting.ERROR_BYTES),
                            num(Setting.DEFINITION_CACHE_BYTES),
                            (int) num(Setting.MAP_ITEMS)),
                    new WorkerConfig.Secrets(
                            str(Setting.SECRETS_ENV_PREFIX),
                            str(Setting.SECRETS_DIR),
                            Duration.ofSeconds(num(Setting.SECRETS_CACHE_SECONDS))));
        }

        private void requireShorter(Setting shorter, Setting longer) {
            if (num(shorter) >= num(longer)) {
                throw new ConfigException(
                        shorter.key(),
                        shorter.key() + " (" + describe(shorter) + ") must be shorter than " + longer.key() + " ("
                                + describe(longer) + "), or leases expire between heartbeats");
            }
        }

        private String describe(Setting s) {
            SourcedValue v = values.get(s);
            return v.value() + " from " + v.source();
        }

        private DatabaseUrl databaseUrl() {
            SourcedValue v = values.get(Setting.DATABASE_URL);
            return DatabaseUrls.parse((String) v.value(), v.source(), workingDir);
        }

        private LogFilter logFilter() {
            SourcedValue v = values.get(Setting.LOG_FILTER);
            LogFilter filter;
            try {
                filter = LogFilter.parse((String) v.value());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        Setting.LOG_FILTER.key(),
                        "invalid " + Setting.LOG_FILTER.key() + " from " + v.source() + ": " + e.getMessage()
                                + "; expected " + Setting.LOG_FILTER.allowed()
                                + " (e.g. nebula_worker=debug,com.zaxxer.hikari=warn)");
            }
            return switch (verbosity) {
                case 0 -> filter;
                case 1 -> filter.atLeast(LogFilter.Level.DEBUG);
                default -> filter.atLeast(LogFilter.Level.TRACE);
            };
        }

        private long num(Setting s) {
            return ((Number) values.get(s).value()).longValue();
        }

        private boolean bool(Setting s) {
            return (Boolean) values.get(s).value();
        }

        private String str(Setting s) {
            SourcedValue v = values.get(s);
            return v == null ? null : (String) v.value();
        }

        @SuppressWarnings("unchecked")
        private List<String> list(Setting s) {
            return (List<String>) values.get(s).value();
        }
    }
}
