package io.nebula.worker.cli;

import io.nebula.worker.cli.logging.LogSetup;
import io.nebula.worker.config.ConfigLoader;
import io.nebula.worker.config.FlagOverrides;
import io.nebula.worker.config.Setting;
import io.nebula.worker.config.WorkerConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The root command, {@code nebula-worker}, with exactly the documented options. Without a subcommand
 * it loads the configuration and runs the worker through {@link WorkerStarter}.
 *
 * <p>Subcommands ({@code submit}, {@code executions}, {@code workers}, {@code queues}, {@code
 * schedules}, {@code workflows}, {@code migrate}, {@code demo}, {@code console}, {@code bench})
 * are listed in {@link #SUBCOMMANDS}. A subcommand declares {@code @Mixin CommonOptions common;}
 * and {@code
 * @ParentCommand WorkerCommand root;}, then calls {@link #configure(CommonOptions, FlagOverrides)}
 * to get the configuration with logging already set up.
 */
@Command(
        name = "nebula-worker",
        versionProvider = Version.class,
        sortOptions = false,
        synopsisHeading = "%nUSAGE:%n    ",
        customSynopsis = "nebula-worker [OPTIONS] [COMMAND]",
        optionListHeading = "%nOPTIONS:%n",
        commandListHeading = "%nCOMMANDS:%n",
        footerHeading = "%n",
        footer = {
            "ENVIRONMENT:",
            "    WORKER_CONCURRENCY               same as --concurrency",
            "    WORKER_ID                        same as --worker-id",
            "    QUEUE_POLL_INTERVAL_MS           same as --poll-interval",
            "    WORKER_SHUTDOWN_TIMEOUT_SECONDS  grace period on SIGTERM, in seconds [default: 30]",
            "    WORKER_QUEUES                    queues to claim from, comma-separated [default: default]",
            "    DATABASE_URL                     postgres://..., postgresql://..., jdbc:postgresql:..., or",
            "                                     sqlite:PATH [default: sqlite:./data/nebula.db]",
            "    HEALTH_PORT                      same as --health-port",
            "    ENABLE_METRICS                   serve GET /metrics: true or false [default: true]",
            "    NEBULA_LOG                       log levels, target=level,... [default: nebula_worker=info];",
            "                                     RUST_LOG is read when NEBULA_LOG is unset",
            "    NEBULA_LOG_FORMAT                same as --log-format",
            "    NEBULA_CONFIG                    same as --config",
            "    NEBULA_CONSOLE_ENABLED           the worker also serves the web console [default: false]",
            "    NEBULA_CONSOLE_BIND              where the console listens [default: 127.0.0.1]",
            "    NEBULA_CONSOLE_PORT              the console's port [default: 8080]",
            "    NEBULA_CONSOLE_TOKEN             the console's access token (required off loopback)",
            "    NEBULA_SECRETS_ENV_PREFIX        secrets are read from variables with this prefix",
            "                                     [default: NEBULA_SECRET_]",
            "    NEBULA_SECRETS_DIR               also read secrets from files in this folder",
            "    NEBULA_SECRETS_CACHE_SECONDS     how long a secret read is reused [default: 30]",
            "    OTEL_EXPORTER_OTLP_ENDPOINT      send traces there (OTLP); tracing is off without it",
            "    OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT,",
            "    OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG,",
            "    OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
            "                                     as in OpenTelemetry's SDK (the README has the [otel] keys)",
            "",
            "Precedence: defaults < --config file < environment < flags. The README lists every TOML key."
        })
public final class WorkerCommand implements Callable<Integer> {
    /**
     * The subcommands, in the order the help lists them, each in its own class. Added by {@link
     * Main#commandLine} rather than declared in the annotation, so that running the worker, which
     * needs none of them, does not build their models.
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            SubmitCommand.class,
            ExecutionsCommand.class,
            WorkersCommand.class,
            QueuesCommand.class,
            SchedulesCommand.class,
            WorkflowsCommand.class,
            MigrateCommand.class,
            DemoCommand.class,
            ConsoleCommand.class,
            BenchCommand.class);

    private final Map<String, String> env;
    private final WorkerStarter starter;

    @Option(
            names = {"-c", "--concurrency"},
            paramLabel = "<N>",
            description = "Number of concurrent workers [default: 4] [env: WORKER_CONCURRENCY]")
    private String concurrency;

    @Option(
            names = {"-w", "--worker-id"},
            paramLabel = "<ID>",
            description = "Worker pool identifier [default: <hostname>-<pid>] [env: WORKER_ID]")
    private String workerId;

    @Option(
            names = {"-h", "--health-port"},
            paramLabel = "<PORT>",
            description = "Health check port [default: 9090] [env: HEALTH_PORT]")
    private String healthPort;

    @Option(
            names = {"-p", "--poll-interval"},
            paramLabel = "<MS>",
            description = "Queue poll interval in ms [default: 100] [env: QUEUE_POLL_INTERVAL_MS]")
    private String pollInterval;

    @Mixin
    private CommonOptions common;

    @Option(names = "--version", versionHelp = true, description = "Print version information")
    private boolean version;

    /**
     * @param env the environment variables configuration is read from
     * @param starter what runs when no subcommand is given
     */
    public WorkerCommand(Map<String, String> env, WorkerStarter starter) {
        this.env = Map.copyOf(env);
        this.starter = starter;
    }

    /** Runs the worker: load configuration, set up logging, hand over to the starter. */
    @Override
    public Integer call() throws Exception {
        FlagOverrides flags = FlagOverrides.none()
                .with(Setting.CONCURRENCY, concurrency)
                .with(Setting.WORKER_ID, workerId)
                .with(Setting.HEALTH_PORT, healthPort)
                .with(Setting.POLL_INTERVAL_MS, pollInterval);
        return starter.run(configure(common, flags));
    }

    /**
     * Loads the configuration for a command and applies its logging settings. Flags in {@code
     * common} (verbosity, log format) are combined with {@code extra}; {@code extra} wins.
     *
     * @throws io.nebula.worker.config.ConfigException on bad configuration (exit code 2)
     */
    public WorkerConfig configure(CommonOptions common, FlagOverrides extra) {
        FlagOverrides flags = common.flags();
        for (var e : extra.values().entrySet()) {
            flags = flags.with(e.getKey(), e.getValue().flag(), e.getValue().text());
        }
        flags = flags.withVerbosity(Math.max(flags.verbosity(), extra.verbosity()));
        WorkerConfig config = new ConfigLoader(env).load(common.configFile(), flags);
        LogSetup.apply(config.log());
        return config;
    }

    /** The environment this command reads, for subcommands. */
    public Map<String, String> env() {
        return env;
    }
}
