package io.nebula.worker.cli;

import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Map;

/**
 * Prints progress either as plain lines (logs, pipes, CI) or, on a terminal, as the same lines
 * plus one status line at the bottom that is redrawn in place. Every piece of text is cleaned of
 * control characters first, so an execution's output cannot move the cursor or recolour the
 * terminal.
 */
final class ProgressPrinter {
    /** How progress is shown: decided from the terminal, or forced. */
    enum Mode {
        AUTO,
        LIVE,
        PLAIN;

        /** Converts {@code --progress} values case-insensitively. */
        static Mode parse(String s) {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        }
    }

    private static final String CLEAR_LINE = "\r\033[2K";

    private final PrintWriter out;
    private final boolean live;
    private final int width;
    private String status;

    ProgressPrinter(PrintWriter out, boolean live, int width) {
        this.out = out;
        this.live = live;
        this.width = Math.max(20, width);
    }

    /** A printer for {@code mode}: AUTO is live only when stdout is an interactive terminal. */
    static ProgressPrinter create(PrintWriter out, Mode mode, Map<String, String> env) {
        boolean live = switch (mode) {
            case LIVE -> true;
            case PLAIN -> false;
            case AUTO -> interactive(env);
        };
        int width = 100;
        try {
            width = Integer.parseInt(env.getOrDefault("COLUMNS", "100").strip()) - 1;
        } catch (NumberFormatException e) {
            // keep the default
        }
        return new ProgressPrinter(out, live, width);
    }

    boolean live() {
        return live;
    }

    /** Prints one line of progress (above the status line when live). */
    void line(String text) {
        if (live && status != null) {
            out.print(CLEAR_LINE);
        }
        out.println(Table.clean(text));
        if (live && status != null) {
            out.print(status);
        }
        out.flush();
    }

    /** Replaces the status line; does nothing when not live. */
    void status(String text) {
        if (!live) {
            return;
        }
        status = Table.cut(Table.clean(text), width);
        out.print(CLEAR_LINE + status);
        out.flush();
    }

    /** Removes the status line, leaving the cursor at the start of an empty line. */
    void clearStatus() {
        if (live && status != null) {
            out.print(CLEAR_LINE);
            out.flush();
            status = null;
        }
    }

    /**
     * Whether stdout is an interactive terminal. {@code System.console()} is null when a stream is
     * redirected on JDK 21; from JDK 22 it may exist anyway and {@code Console.isTerminal()} (not
     * in the 21 API, hence the reflection) tells. {@code TERM=dumb} means no cursor control.
     */
    static boolean interactive(Map<String, String> env) {
        if ("dumb".equals(env.get("TERM"))) {
            return false;
        }
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = java.io.Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
