package io.nebula.worker.runtime;

import java.time.Clock;
import java.time.Duration;

/**
 * How the runtime runs nodes, built by the worker from its {@code [runtime]} configuration.
 *
 * @param maxParallelNodes nodes of one execution that run at once
 * @param defaultNodeTimeout the timeout of a node that sets no {@code timeout_seconds}
 * @param stopGrace after a stop or a timeout interrupts an action, how long to wait for it to end
 *     before moving on without it (an action that ignores interrupts is then abandoned)
 * @param maxOutputBytes the largest node output, as JSON text; larger fails the node
 * @param clock the source of node start and finish times (informational) and delay arithmetic
 */
public record RuntimeOptions(
        int maxParallelNodes, Duration defaultNodeTimeout, Duration stopGrace, int maxOutputBytes, Clock clock) {

    public RuntimeOptions {
        if (maxParallelNodes < 1) {
            throw new IllegalArgumentException("maxParallelNodes must be at least 1: " + maxParallelNodes);
        }
        if (!defaultNodeTimeout.isPositive() || stopGrace.isNegative() || maxOutputBytes < 1) {
            throw new IllegalArgumentException("invalid runtime options: " + defaultNodeTimeout + ", " + stopGrace);
        }
    }

    /** 8 parallel nodes, 5-minute node timeout, 5 s stop grace, 1 MiB outputs, UTC clock. */
    public static RuntimeOptions defaults() {
        return new RuntimeOptions(8, Duration.ofMinutes(5), Duration.ofSeconds(5), 1024 * 1024, Clock.systemUTC());
    }

    public RuntimeOptions withMaxParallelNodes(int n) {
        return new RuntimeOptions(n, defaultNodeTimeout, stopGrace, maxOutputBytes, clock);
    }

    public RuntimeOptions withDefaultNodeTimeout(Duration d) {
        return new RuntimeOptions(maxParallelNodes, d, stopGrace, maxOutputBytes, clock);
    }

    public RuntimeOptions withClock(Clock c) {
        return new RuntimeOptions(maxParallelNodes, defaultNodeTimeout, stopGrace, maxOutputBytes, c);
    }
}
