package io.nebula.worker.cli;

import io.nebula.worker.config.WorkerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;

/** One run of the command line with captured output and the configuration the starter received. */
record CliRun(int exitCode, String out, String err, WorkerConfig config) {

    static CliRun of(Map<String, String> env, String... args) {
        return of(env, c -> 0, args);
    }

    static CliRun of(Map<String, String> env, WorkerStarter starter, String... args) {
        return of(env, starter, List.of(), args);
    }

    static CliRun of(Map<String, String> env, WorkerStarter starter, List<Object> subcommands, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicReference<WorkerConfig> seen = new AtomicReference<>();
        WorkerStarter recording = config -> {
            seen.set(config);
            return starter.run(config);
        };
        CommandLine cli =
                Main.commandLine(env, recording, new PrintWriter(out, true), new PrintWriter(err, true), subcommands);
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString(), seen.get());
    }
}
