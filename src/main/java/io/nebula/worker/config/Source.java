package io.nebula.worker.config;

import java.nio.file.Path;

/**
 * Where a configuration value came from, as shown in error messages: {@code default},
 * {@code file config/worker.toml line 3}, {@code env WORKER_CONCURRENCY} or
 * {@code flag --concurrency}.
 *
 * @param kind which of the four layers supplied the value
 * @param description the human-readable origin, exactly as it appears in messages
 */
public record Source(Kind kind, String description) {

    /** The four layers, in rising precedence. */
    public enum Kind {
        DEFAULT,
        FILE,
        ENV,
        FLAG
    }

    /** The built-in default. */
    public static Source builtIn() {
        return new Source(Kind.DEFAULT, "default");
    }

    /**
     * A TOML file, optionally with the 1-based line; {@code line <= 0} means unknown.
     *
     * @param file the path as the user gave it, so the message matches what they typed
     */
    public static Source file(Path file, int line) {
        return new Source(Kind.FILE, "file " + file + (line > 0 ? " line " + line : ""));
    }

    /** An environment variable. */
    public static Source env(String variable) {
        return new Source(Kind.ENV, "env " + variable);
    }

    /** A command-line flag, named by its long form (e.g. {@code --concurrency}). */
    public static Source flag(String longName) {
        return new Source(Kind.FLAG, "flag " + longName);
    }

    @Override
    public String toString() {
        return description;
    }
}
