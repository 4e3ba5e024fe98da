package io.nebula.worker.cli;

import io.nebula.worker.app.WorkflowCatalog;
import io.nebula.worker.config.DatabaseUrl;
import io.nebula.worker.config.FlagOverrides;
import io.nebula.worker.config.Setting;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.console.ConsoleServer;
import io.nebula.worker.queue.ExecutionStore;
import java.net.BindException;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nebula-worker console}: serves the web console on its own port ({@code 127.0.0.1:8080}
 * by default) over the configured store, until Ctrl-C. It reads the configuration exactly as the
 * worker does, so it sees the same database, on PostgreSQL or SQLite. Bound to anything but a
 * loopback address it refuses to start without an access token (exit code 2).
 */
@Command(
        name = "console",
        description = "Serve the web console: queues, executions and workers in a browser",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:stopped by Ctrl-C or SIGTERM",
            "1:database failure, or the port is taken",
            "2:bad flags or configuration (a non-loopback address without an access token)"
        })
final class ConsoleCommand extends OpsCommand {
    /** Database connections the console's pages share. */
    static final int CONNECTIONS = 4;

    @Option(
            names = "--port",
            paramLabel = "<PORT>",
            description = "Port [default: 8080; 0 picks a free one] [env: NEBULA_CONSOLE_PORT]")
    String port;

    @Option(
            names = "--bind",
            paramLabel = "<ADDRESS>",
            description = "Address to listen on [default: 127.0.0.1] [env: NEBULA_CONSOLE_BIND]; any other than"
                    + " loopback needs an access token (NEBULA_CONSOLE_TOKEN)")
    String bind;

    @Override
    protected int run() throws Exception {
        WorkerConfig config = root().configure(
                        common,
                        FlagOverrides.none()
                                .with(Setting.CONSOLE_PORT, "--port", port)
                                .with(Setting.CONSOLE_BIND, "--bind", bind));
        ConsoleServer.checkAccess(config.console());
        try (ExecutionStore store = StoreAccess.open(config, CONNECTIONS);
                ConsoleServer console = start(config, store)) {
            out().println("nebula-worker console at " + console.uri() + " (store " + storeLabel(config) + ")");
            if (config.console().token() != null) {
                out().println("Sign in with the access token of console.token (NEBULA_CONSOLE_TOKEN).");
            }
            out().println("Press Ctrl-C to stop.");
            out().flush();
            CountDownLatch stop = new CountDownLatch(1);
            Signals.onTermination(stop::countDown);
            stop.await();
        }
        return ExitCode.OK;
    }

    private ConsoleServer start(WorkerConfig config, ExecutionStore store) throws Exception {
        try {
            return ConsoleServer.start(
                    config.console(),
                    store,
                    WorkflowCatalog.of(config),
                    liveWithin(),
                    storeLabel(config),
                    Version.current());
        } catch (BindException e) {
            throw bindFailure(e, "--port, ");
        }
    }

    /**
     * Why the console's port could not be opened, naming the settings that choose it (exit code 2:
     * the configuration asks for something this machine cannot give).
     *
     * @param flag the command-line flag that sets the port, with a trailing comma and space, or ""
     */
    static CommandFailure bindFailure(BindException e, String flag) {
        return new CommandFailure(
                ExitCode.USAGE,
                e.getMessage() + "; choose another port with " + flag
                        + "NEBULA_CONSOLE_PORT or console.port (0 picks a free one),"
                        + " or another address with console.bind");
    }

    /** The store for people: its kind and where it is, never a password. */
    static String storeLabel(WorkerConfig config) {
        return switch (config.database().url()) {
            case DatabaseUrl.Sqlite s -> "SQLite " + s.file();
            case DatabaseUrl.Postgres pg -> "PostgreSQL " + pg.redacted();
        };
    }
}
