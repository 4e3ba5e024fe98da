package io.nebula.worker.cli;

import io.nebula.worker.config.WorkerConfig;

/**
 * Runs the worker with a loaded, validated configuration; what {@code nebula-worker} does when no
 * subcommand is given. Logging is already configured when it is called.
 *
 * <p>Contract: block until the worker has stopped (normally after SIGTERM and its graceful
 * shutdown) and return the process exit code: 0 for a clean stop, 1 for a runtime failure. Throwing
 * a {@link io.nebula.worker.config.ConfigException} exits with 2; any other exception exits with 1
 * after it is logged. {@link Main#STARTER} names the implementation in use.
 */
@FunctionalInterface
public interface WorkerStarter {
    int run(WorkerConfig config) throws Exception;
}
