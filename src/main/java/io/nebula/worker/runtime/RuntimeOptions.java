package io.nebula.worker.runtime;

import java.time.Clock;
import java.time.Duration;

/**
 * How the runtime runs nodes, built by the worker from its {@code [runtime]} and {@code [limits]}
 * configuration.
 *
 * @param maxParallelNodes nodes of one execution that run at once
 * @param defaultNodeTimeout the timeout of a node that sets no {@code timeout_seconds}
 * @param stopGrace after a stop or a timeout interrupts an action, how long to wait for it to end
 *     before moving on without it (an action that ignores interrupts is then abandoned)
 * @param maxOutputBytes the largest node output, as JSON text; larger fails the node
 * @param maxExecutionOutputBytes the most node output one execution may hold in total, as JSON
 *     text; the node whose output would pass it fails ({@code limits.execution_output_bytes})
 * @param maxExecutionValues the most JSON values one execution may hold, its input and node outputs
 *     together; an input with more fails the execution, and the node whose output would pass it
 *     fails ({@code limits.execution_values})
 * @param maxErrorChars the longest error text kept for a node or an execution; longer ones are cut
 *     ({@code limits.error_bytes})
 * @param clock the source of node start and finish times (informational) and delay arithmetic
 * @param maxMapItems the most items one map node may run over; more fail the node ({@code
 *     limits.map_items})
 */
public record RuntimeOptions(
        int maxParallelNodes,
        Duration defaultNodeTimeout,
        Duration stopGrace,
        int maxOutputBytes,
        long maxExecutionOutputBytes,
        long maxExecutionValues,
        int maxErrorChars,
        Clock clock,
        int maxMapItems) {

    public RuntimeOptions {
        if (maxParallelNodes < 1) {
            throw new IllegalArgumentException("maxParallelNodes must be at least 1: " + maxParallelNodes);
        }
        if (!defaultNodeTimeout.isPositive()
                || stopGrace.isNegative()
                || maxOutputBytes < 1
                || maxExecutionOutputBytes < 1
                || maxExecutionValues < 1
                || maxErrorChars < ErrorText.MIN_CHARS
                || maxMapItems < 1) {
            throw new IllegalArgumentException("invalid runtime options: " + defaultNodeTimeout + ", " + stopGrace
                    + ", " + maxOutputBytes + ", " + maxExecutionOutputBytes + ", " + maxErrorChars);
        }
    }

    /** The setting for {@link #maxExecutionOutputBytes()}, as messages name it. */
    public static final String EXECUTION_OUTPUT_KEY = "limits.execution_output_bytes";
    /** The setting for {@link #maxExecutionValues()}. */
    public static final String EXECUTION_VALUES_KEY = "limits.execution_values";
    /** The setting for {@link #maxErrorChars()}. */
    public static final String ERROR_KEY = "limits.error_bytes";
    /** The setting for {@link #maxMapItems()}. */
    public static final String MAP_ITEMS_KEY = "limits.map_items";

    /**
     * 8 parallel nodes, 5-minute node timeout, 5 s stop grace, 1 MiB outputs, 8 MiB of node output
     * and 100,000 JSON values per execution, 8,192-character errors, 10,000 items per map node (the {@code [limits]}
     * defaults), UTC clock.
     */
    public static RuntimeOptions defaults() {
        return new RuntimeOptions(
                8,
                Duration.ofMinutes(5),
                Duration.ofSeconds(5),
                1024 * 1024,
                8L * 1024 * 1024,
                100_000,
                8_192,
                Clock.systemUTC(),
                10_000);
    }

    public RuntimeOptions withMaxParallelNodes(int n) {
        return new RuntimeOptions(
                n,
                defaultNodeTimeout,
                stopGrace,
                maxOutputBytes,
                maxExecutionOutputBytes,
                maxExecutionValues,
                maxErrorChars,
                clock,
                maxMapItems);
    }

    public RuntimeOptions withDefaultNodeTimeout(Duration d) {
        return new RuntimeOptions(
                maxParallelNodes,
                d,
                stopGrace,
                maxOutputBytes,
                maxExecutionOutputBytes,
                maxExecutionValues,
                maxErrorChars,
                clock,
                maxMapItems);
    }

    public RuntimeOptions withClock(Clock c) {
        return new RuntimeOptions(
                maxParallelNodes,
                defaultNodeTimeout,
                stopGrace,
                maxOutputBytes,
                maxExecutionOutputBytes,
                maxExecutionValues,
                maxErrorChars,
                c,
                maxMapItems);
    }

    /** These options with the total node output of one execution and the error length bounded. */
    public RuntimeOptions withExecutionBudgets(long executionOutputBytes, int errorChars) {
        return new RuntimeOptions(
                maxParallelNodes,
                defaultNodeTimeout,
                stopGrace,
                maxOutputBytes,
                executionOutputBytes,
                maxExecutionValues,
                errorChars,
                clock,
                maxMapItems);
    }

    /** These options with at most {@code n} JSON values held by one execution. */
    public RuntimeOptions withMaxExecutionValues(long n) {
        return new RuntimeOptions(
                maxParallelNodes,
                defaultNodeTimeout,
                stopGrace,
                maxOutputBytes,
                maxExecutionOutputBytes,
                n,
                maxErrorChars,
                clock,
                maxMapItems);
    }

    /** These options with at most {@code n} items per map node. */
    public RuntimeOptions withMaxMapItems(int n) {
        return new RuntimeOptions(
                maxParallelNodes,
                defaultNodeTimeout,
                stopGrace,
                maxOutputBytes,
                maxExecutionOutputBytes,
                maxExecutionValues,
                maxErrorChars,
                clock,
                n);
    }
}
