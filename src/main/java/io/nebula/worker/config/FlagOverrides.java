package io.nebula.worker.config;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The values given on the command line, the top layer of configuration. Values are kept as the
 * text the user typed so that a bad one is reported the same way as a bad environment variable,
 * naming the flag. Immutable: each {@code with...} returns a copy.
 *
 * <p>The command line builds one of these and hands it to {@link ConfigLoader#load}; a subcommand
 * that adds its own flags (say {@code --database-url}) adds them here with their own names.
 */
public final class FlagOverrides {
    private static final FlagOverrides NONE = new FlagOverrides(new EnumMap<>(Setting.class), 0);

    /**
     * One flag value.
     *
     * @param flag the long flag name, e.g. {@code --concurrency}
     * @param text the value as typed
     */
    public record Flag(String flag, String text) {}

    private final Map<Setting, Flag> values;
    private final int verbosity;

    private FlagOverrides(Map<Setting, Flag> values, int verbosity) {
        this.values = values;
        this.verbosity = verbosity;
    }

    /** No flags given. */
    public static FlagOverrides none() {
        return NONE;
    }

    /** Sets {@code setting} from its seed flag ({@link Setting#flag()}); {@code null} text changes nothing. */
    public FlagOverrides with(Setting setting, String text) {
        return with(
                setting,
                setting.flag().orElseThrow(() -> new IllegalArgumentException(setting.key() + " has no flag")),
                text);
    }

    /** Sets {@code setting} from a flag named {@code flag}; {@code null} text changes nothing. */
    public FlagOverrides with(Setting setting, String flag, String text) {
        if (text == null) {
            return this;
        }
        Map<Setting, Flag> copy = new EnumMap<>(Setting.class);
        copy.putAll(values);
        copy.put(setting, new Flag(flag, text));
        return new FlagOverrides(copy, verbosity);
    }

    /** Sets how many times {@code -v} was given: 1 raises our logging to debug, 2 or more to trace. */
    public FlagOverrides withVerbosity(int count) {
        return new FlagOverrides(values, Math.max(0, count));
    }

    /** The flags given, by setting. */
    public Map<Setting, Flag> values() {
        return Collections.unmodifiableMap(values);
    }

    /** How many times {@code -v} was given. */
    public int verbosity() {
        return verbosity;
    }
}
