package io.nebula.worker.bench;

import java.util.Locale;

/**
 * The benchmark's scenarios, in the order they run and the issue lists them. Each has a short name
 * used on the command line ({@code --scenario drain,latency}) and in the JSON report.
 */
public enum Scenario {
    /**
     * The bare SKIP LOCKED queue loop on PostgreSQL, the yardstick of every PostgreSQL figure (it
     * also runs between the drain, DAG and scaling runs when they measure PostgreSQL).
     */
    BASELINE("baseline"),
    /** Pre-queued single-node no-op executions drained by one in-process worker. */
    DRAIN("drain"),
    /** The same with a five-node DAG (fan-out of three, then a join). */
    DAG("dag"),
    /** Submit throughput: one execution per call (one and many callers) and bulk calls. */
    SUBMIT("submit"),
    /** Submit-to-start latency at low load, push (LISTEN/NOTIFY) and poll mode. */
    LATENCY("latency"),
    /** Aggregate drain throughput of 1, 2, 4... worker processes on one PostgreSQL database. */
    SCALING("scaling"),
    /** Start-to-ready time and resident memory of one worker process, idle and under load. */
    MEMORY("memory"),
    /**
     * The DAG drain with OpenTelemetry tracing off, then on (every trace sampled, spans exported to
     * a local OTLP sink), then the same for {@code bench-http} (an {@code http.request} to a
     * loopback API, then a {@code noop}): what tracing costs. Not part of {@code all}; ask for it
     * by name.
     */
    TRACING("tracing");

    private final String label;

    Scenario(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /**
     * The scenario named {@code text} (case-insensitive).
     *
     * @throws IllegalArgumentException listing the known names
     */
    public static Scenario parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        for (Scenario s : values()) {
            if (s.label.equals(t)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + text
                + "'; expected baseline, drain, dag, submit, latency, scaling, memory, tracing or all");
    }
}
