package io.nebula.worker.config;

import java.util.regex.Pattern;

/**
 * The shapes of names that end up in configuration, metrics labels and log fields: one definition
 * for the worker's {@code worker.queues} and for what a submit may name.
 */
public final class Names {
    /** A queue: starts with a letter or digit; letters, digits, {@code _ . : -}; at most 64. */
    public static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");

    /** How {@link #QUEUE} reads in an error message. */
    public static final String QUEUE_RULE =
            "letters, digits, _ . : - (starting with a letter or digit), at most 64 characters";

    private Names() {}
}
