package io.nebula.worker.config;

import io.nebula.worker.redact.Redaction;

/**
 * Bad configuration: the worker must not start. The message names the key, where the value came
 * from ({@link Source}) and what is allowed, and never contains a password: it passes through
 * {@link Redaction} on construction. The command line turns this into exit code 2 with the
 * message on stderr and no stack trace.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key the TOML-style key ({@code worker.concurrency}) or other name the problem is about;
     *     may be {@code null} when no single key is at fault (an unreadable file)
     * @param message the full message, including key, source and what is allowed
     */
    public ConfigException(String key, String message) {
        super(Redaction.redact(message));
        this.key = key;
    }

    /** As {@link #ConfigException(String, String)}, keeping a cause whose text is not repeated. */
    public ConfigException(String key, String message, Throwable cause) {
        super(Redaction.redact(message), cause);
        this.key = key;
    }

    /**
     * The standard message for a value that is the wrong type or out of range: {@code invalid
     * worker.concurrency from flag --concurrency: found -1; expected a whole number from 1 to
     * 10000}.
     */
    static ConfigException invalid(Setting setting, Source source, String found) {
        return new ConfigException(
                setting.key(),
                "invalid " + setting.key() + " from " + source + ": " + found + "; expected " + setting.allowed());
    }

    /** The key at fault, e.g. {@code worker.concurrency}, or {@code null}. */
    public String key() {
        return key;
    }
}
