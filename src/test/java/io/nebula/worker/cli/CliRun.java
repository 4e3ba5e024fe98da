package io.nebula.worker.cli;

import io.nebula.worker.config.WorkerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** One run of the command line with captured output and the configuration the starter received. */
record CliRun(int exitCode, String out, String err, WorkerConfig config) {

    static CliRun of(Map<String, String> env, String... args) {
        return of(env, c -> 0, args);
    }

    /** As {@link #of(Map, String...)}, with {@code --config CONFIG} after the arguments. */
    static CliRun withConfig(java.nio.file.Path config, Map<String, String> env, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--config";
        all[args.length + 1] = config.toString();
        return of(env, all);
    }

    static CliRun of(Map<String, String> env, WorkerStarter starter, String... args) {
        return of(env, starter, List.of(), args);
    }

    /** As {@link #of(Map, String...)}, always through the whole command line (every subcommand built). */
    static CliRun whole(Map<String, String> env, String... args) {
        return run(env, c -> 0, List.of(), true, args);
    }

    static CliRun of(Map<String, String> env, WorkerStarter starter, List<Object> subcommands, String... args) {
        return run(env, starter, subcommands, !subcommands.isEmpty(), args);
    }

    private static CliRun run(
            Map<String, String> env, WorkerStarter starter, List<Object> subcommands, boolean whole, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicReference<WorkerConfig> seen = new AtomicReference<>();
        WorkerStarter recording = config -> {
            seen.set(config);
            return starter.run(config);
        };
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        // Unless asked for the whole command line, the entry point the process uses (the root alone
        // for a worker run); extra subcommands need the whole one.
        int code = whole
                ? Main.commandLine(env, recording, o, e, subcommands).execute(args)
                : Main.run(args, env, recording, o, e);
        return new CliRun(code, out.toString(), err.toString(), seen.get());
    }
}
