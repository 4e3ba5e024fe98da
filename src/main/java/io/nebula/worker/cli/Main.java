package io.nebula.worker.cli;

import io.nebula.worker.config.ConfigException;
import io.nebula.worker.config.Setting;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.SubmitRejectedException;
import io.nebula.worker.redact.Redaction;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Entry point of {@code nebula-worker}. Builds the command line, runs it, and maps the outcome to
 * the exit code: 0 success, 1 runtime failure, 2 bad configuration or usage (a one-line message on
 * stderr, no stack trace), and the operator commands' own codes carried by {@link CommandFailure}
 * (listed in {@link ExitCode}). Every message it prints passes through {@link Redaction}.
 */
public final class Main {
    /** Exit code for success. */
    public static final int OK = 0;
    /** Exit code for a failure while running. */
    public static final int FAILURE = 1;
    /** Exit code for bad configuration or command-line usage. */
    public static final int BAD_CONFIGURATION = 2;

    /** What runs when no subcommand is given. The queue worker plugs in here, on this one line. */
    static final WorkerStarter STARTER = new WorkerApp();

    private Main() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, System.getenv(), STARTER, out, err));
    }

    /** Runs the command line once and returns the exit code; never calls {@link System#exit}. */
    public static int run(
            String[] args, Map<String, String> env, WorkerStarter starter, PrintWriter out, PrintWriter err) {
        CommandLine worker = workerOnly(env, starter, out, err, args);
        return (worker != null ? worker : commandLine(env, starter, out, err)).execute(args);
    }

    /** The names and aliases of the subcommands, read from their annotations without building them. */
    private static final Set<String> SUBCOMMAND_NAMES = subcommandNames();

    private static Set<String> subcommandNames() {
        Set<String> names = new HashSet<>();
        for (Class<?> c : WorkerCommand.SUBCOMMANDS) {
            CommandLine.Command command = c.getAnnotation(CommandLine.Command.class);
            names.add(command.name());
            names.addAll(List.of(command.aliases()));
        }
        return Set.copyOf(names);
    }

    /**
     * The root command without its subcommands when {@code args} run the worker (no argument
     * names a subcommand, they parse, and they ask for no help or version), else {@code null}.
     * Building the model of every subcommand costs about 100 ms of the worker's start-up; anything
     * else (a subcommand, a typo, a bad option, help) goes to the whole command line, so its
     * messages and exit codes are the ones it always gave.
     */
    private static CommandLine workerOnly(
            Map<String, String> env, WorkerStarter starter, PrintWriter out, PrintWriter err, String[] args) {
        for (String a : args) {
            String attached = attachedValue(a);
            if (SUBCOMMAND_NAMES.contains(a) || (attached != null && SUBCOMMAND_NAMES.contains(attached))) {
                // A subcommand, or a subcommand's name given as an option's value, which the whole
                // command line refuses and the root alone would take.
                return null;
            }
        }
        CommandLine root = configure(new CommandLine(new WorkerCommand(env, starter)), out, err);
        try {
            CommandLine.ParseResult parsed = root.parseArgs(args);
            return parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested() ? null : root;
        } catch (ParameterException e) {
            return null;
        }
    }

    /** The value written in the same argument as its option ({@code --worker-id=x}, {@code -wx}), or {@code null}. */
    private static String attachedValue(String arg) {
        if (arg.startsWith("--")) {
            int at = arg.indexOf('=');
            return at < 0 ? null : arg.substring(at + 1);
        }
        java.util.regex.Matcher m = ATTACHED_SHORT.matcher(arg);
        return m.matches() ? m.group(1) : null;
    }

    private static final java.util.regex.Pattern ATTACHED_SHORT = java.util.regex.Pattern.compile("-v*[cwhp]=?(.+)");

    /** The configured command line, for tests and for embedding. */
    public static CommandLine commandLine(
            Map<String, String> env, WorkerStarter starter, PrintWriter out, PrintWriter err) {
        return commandLine(env, starter, out, err, List.of());
    }

    /**
     * As {@link #commandLine(Map, WorkerStarter, PrintWriter, PrintWriter)}, with extra subcommands
     * added before the output and error handling are set (picocli applies those settings only to
     * subcommands present at the time).
     */
    static CommandLine commandLine(
            Map<String, String> env,
            WorkerStarter starter,
            PrintWriter out,
            PrintWriter err,
            List<Object> extraSubcommands) {
        CommandLine cli = new CommandLine(new WorkerCommand(env, starter));
        WorkerCommand.SUBCOMMANDS.forEach(cli::addSubcommand);
        extraSubcommands.forEach(cli::addSubcommand);
        cli.setExecutionStrategy(parsed -> {
            // Help and version win over the check, as over every other.
            if (parsed.asCommandLineList().stream()
                    .noneMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested())) {
                refuseWorkerOptionsOfASubcommand(parsed);
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return configure(cli, out, err);
    }

    /** The root command's options that only running the worker reads. */
    private static final List<Setting> WORKER_OPTIONS =
            List.of(Setting.CONCURRENCY, Setting.WORKER_ID, Setting.HEALTH_PORT, Setting.POLL_INTERVAL_MS);

    /**
     * Refuses the worker's own options given before a subcommand ({@code -h 9191 demo}): the
     * command line takes them there, as picocli takes any option of a parent, but no subcommand
     * reads them, so they would be dropped without a word.
     */
    private static void refuseWorkerOptionsOfASubcommand(CommandLine.ParseResult parsed) {
        if (!parsed.hasSubcommand()) {
            return;
        }
        CommandLine.Model.CommandSpec sub = parsed.subcommand().commandSpec();
        for (Setting s : WORKER_OPTIONS) {
            CommandLine.Model.OptionSpec option = parsed.matchedOption(s.flag().orElseThrow());
            if (option == null) {
                continue;
            }
            String names = String.join("/", option.names());
            throw new ParameterException(
                    parsed.commandSpec().commandLine(),
                    sub.findOption(option.longestName()) != null
                            // A command with an option of that name (bench -c) takes it after its name.
                            ? names + " before `" + sub.name() + "` is the worker's; `" + sub.name()
                                    + "` takes its own after its name: nebula-worker " + sub.name() + " "
                                    + option.longestName() + " ..."
                            : names + " is an option of the worker itself, not of `" + sub.name() + "`: set "
                                    + s.env().orElseThrow() + " or " + s.key() + " in the configuration file"
                                    + " instead");
        }
    }

    /** The help style, output and error handling shared by every command, set on {@code cli}. */
    private static CommandLine configure(CommandLine cli, PrintWriter out, PrintWriter err) {
        cli.getCommandSpec()
                .usageMessage()
                .header("nebula-worker " + Version.current(), "Queue worker for Nebula workflow engine");
        // Every command reads "--config FILE" and "--config=FILE"; its help shows "--config <FILE>".
        cli.setHelpFactory(HelpStyle::new);
        // `submit --input @file` reads the input from a file; picocli's own @argument-files would
        // swallow that first.
        cli.setExpandAtFiles(false);
        cli.setUsageHelpWidth(100);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> e instanceof ConfigException ? BAD_CONFIGURATION : FAILURE);
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter w = commandLine.getErr();
            if (e instanceof ConfigException) {
                w.println("nebula-worker: " + e.getMessage());
                w.flush();
                return BAD_CONFIGURATION;
            }
            if (e instanceof CommandFailure f) {
                w.println("nebula-worker: " + Redaction.redact(f.getMessage()));
                f.details().forEach(line -> w.println(Redaction.redact(line)));
                w.flush();
                return f.exitCode();
            }
            if (e instanceof SubmitRejectedException rejected) {
                // Input the store refused (the size, the values, text it cannot hold): nothing was
                // written, as when the command's own check refuses it.
                w.println("nebula-worker: " + Redaction.redact(rejected.getMessage()) + "; nothing was written");
                w.flush();
                return ExitCode.INVALID;
            }
            if (e instanceof StoreException se) {
                // The store's messages already say what failed; a stack trace adds nothing for an
                // operator (run with -v to log it). A database the configuration names wrongly (no
                // such database, refused credentials, unknown host) is bad configuration.
                LoggerFactory.getLogger(Main.class).debug("database error", e);
                w.println("nebula-worker: " + (se.problem() != null ? "" : "database error: ")
                        + Redaction.redact(String.valueOf(e.getMessage())));
                w.flush();
                return se.permanent() ? BAD_CONFIGURATION : FAILURE;
            }
            LoggerFactory.getLogger(Main.class).error("nebula-worker failed", e);
            w.println("nebula-worker: failed: " + Redaction.redact(String.valueOf(e.getMessage())));
            w.flush();
            return FAILURE;
        });
        return cli;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter w = cmd.getErr();
        // picocli names an option with its value as the parser reads it ("--cron=<EXPR>"); the
        // help writes "--cron <EXPR>".
        String message = String.valueOf(e.getMessage()).replaceAll("'(-{1,2}[A-Za-z][\\w-]*)=<", "'$1 <");
        w.println("nebula-worker: " + Redaction.redact(message));
        // A misspelled command or option: picocli names the near ones ("Did you mean: ...").
        CommandLine.UnmatchedArgumentException.printSuggestions(e, w);
        w.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        w.flush();
        return BAD_CONFIGURATION;
    }
}
