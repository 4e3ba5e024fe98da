package io.nebula.worker.bench;

import java.io.PrintWriter;

/**
 * One line per step on stderr (never stdout, which carries the table or the JSON document), with
 * the time since the benchmark started, so a long run shows where it is.
 */
final class Progress {
    private final PrintWriter err;
    private final long t0 = System.nanoTime();

    Progress(PrintWriter err) {
        this.err = err;
    }

    void say(String format, Object... args) {
        long s = (System.nanoTime() - t0) / 1_000_000_000L;
        err.printf("[bench %02d:%02d] %s%n", s / 60, s % 60, String.format(format, args));
        err.flush();
    }
}
