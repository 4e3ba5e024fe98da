package io.nebula.worker.cli;

import io.nebula.worker.config.FlagOverrides;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.queue.ExecutionStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every operator command shares: the common options ({@code --config}, {@code -v}, {@code
 * --log-format}, {@code --help}), {@code --json}, the configuration loaded exactly as the worker
 * loads it (defaults &lt; {@code --config} file &lt; environment &lt; flags), and the output streams
 * the command line was given. A subclass implements {@link #run()} and returns an {@link ExitCode};
 * expected failures are thrown as {@link CommandFailure}.
 */
abstract class OpsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON for scripts instead of tables (field names are stable)")
    boolean json;

    private WorkerConfig config;

    @Override
    public final Integer call() throws Exception {
        return run();
    }

    protected abstract int run() throws Exception;

    /** The root command, found by walking up from this subcommand. */
    WorkerCommand root() {
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            if (s.userObject() instanceof WorkerCommand w) {
                return w;
            }
        }
        throw new IllegalStateException(spec.qualifiedName() + " is not under nebula-worker");
    }

    /** The validated configuration, with logging applied (loaded once per command). */
    WorkerConfig config() {
        if (config == null) {
            config = root().configure(common, FlagOverrides.none());
        }
        return config;
    }

    /** Opens the store, checking that its schema matches this build. */
    ExecutionStore openStore() {
        return StoreAccess.open(config());
    }

    /** A worker counts as live when its last heartbeat is at most three heartbeat intervals old. */
    Duration liveWithin() {
        return config().worker().heartbeatInterval().multipliedBy(3);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
