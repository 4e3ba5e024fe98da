package io.nebula.worker.console;

import com.sun.net.httpserver.HttpServer;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.workflow.Workflows;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console: server-rendered pages (jte templates compiled at build time) with htmx, served
 * from the jar, on the JDK's HTTP server. It reads and acts through the {@link ExecutionStore} it
 * is given, so it works the same on PostgreSQL and SQLite, in {@code nebula-worker console} or
 * inside a worker ({@code console.enabled}).
 *
 * <p>Loopback only by default; bound elsewhere it refuses to start without an access token, and
 * with a token every request must carry it (see {@link Guard}). Every response carries a
 * Content-Security-Policy that lets pages load scripts, styles and images from the console alone.
 */
public final class ConsoleServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsoleServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final String bind;

    private ConsoleServer(HttpServer server, ExecutorService executor, String bind) {
        this.server = server;
        this.executor = executor;
        this.bind = bind;
    }

    /**
     * Checks the configuration, binds and starts serving.
     *
     * @param workflows compiles stored definitions (to show resolved node parameters)
     * @param liveWithin a worker whose last heartbeat is at most this old counts as live
     * @param storeLabel the store for the page header, without credentials
     * @throws io.nebula.worker.config.ConfigException when bound beyond loopback without a token
     * @throws BindException when the port is taken (the message names the port)
     */
    public static ConsoleServer start(
            WorkerConfig.Console config,
            ExecutionStore store,
            Workflows workflows,
            Duration liveWithin,
            String storeLabel,
            String version)
            throws IOException {
        Guard guard = Guard.check(config);
        Routes routes = new Routes(
                store, new Views(store, workflows, liveWithin), guard, storeLabel, version, StaticFiles.load());
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(config.bind(), config.port()), 64);
        } catch (BindException e) {
            BindException named = new BindException(
                    "cannot serve the console on " + config.bind() + " port " + config.port() + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.createContext("/", routes::handle);
        server.setExecutor(executor);
        server.start();
        ConsoleServer console = new ConsoleServer(server, executor, config.bind());
        log.info("console listening address={} token_required={}", console.uri(), guard.tokenRequired());
        return console;
    }

    /**
     * Checks that {@code config} may be served: bound beyond loopback, an access token is required.
     *
     * @throws io.nebula.worker.config.ConfigException naming {@code console.bind} and what to set
     */
    public static void checkAccess(WorkerConfig.Console config) {
        Guard.check(config);
    }

    /** The bound port (useful when started on port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The address to open: the bound host and port; all-interfaces binds are shown as localhost. */
    public URI uri() {
        String host = bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]") ? "localhost" : bind;
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port() + "/");
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
