package io.nebula.worker.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A parsed log filter in {@code RUST_LOG} syntax: comma-separated {@code target=level}
 * directives, e.g. {@code nebula_worker=debug,com.zaxxer.hikari=warn}.
 *
 * <ul>
 *   <li>A target is a Java logger name ({@code io.nebula.worker.queue}, {@code com.zaxxer.hikari})
 *       or a Rust-style path: {@code nebula_worker} means {@code io.nebula.worker} and {@code
 *       nebula_worker::queue} means {@code io.nebula.worker.queue}.
 *   <li>A bare level ({@code debug}) sets the root logger; a bare target turns on everything for it
 *       ({@code trace}).
 *   <li>Levels: {@code off, error, warn, info, debug, trace}. A later directive for the same target
 *       wins.
 *   <li>Loggers that no directive covers log at {@link #DEFAULT_ROOT} ({@code warn}), so library
 *       warnings and errors are never hidden (unlike Rust's env_logger, where they are off).
 * </ul>
 *
 * @param directives in the order given
 */
public record LogFilter(List<Directive> directives) {
    /** The root level when no bare level is given. */
    public static final Level DEFAULT_ROOT = Level.WARN;

    private static final String OUR_CRATE = "nebula_worker";
    private static final String OUR_PACKAGE = "io.nebula.worker";

    /** Log levels, from quietest to most verbose. */
    public enum Level {
        OFF,
        ERROR,
        WARN,
        INFO,
        DEBUG,
        TRACE;

        static Level parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    /**
     * One {@code target=level} pair.
     *
     * @param target the target as written, e.g. {@code nebula_worker::queue}; empty for the root
     * @param logger the Java logger name it stands for; empty for the root
     * @param level the level set
     */
    public record Directive(String target, String logger, Level level) {
        @Override
        public String toString() {
            return target.isEmpty()
                    ? level.name().toLowerCase(Locale.ROOT)
                    : target + "=" + level.name().toLowerCase(Locale.ROOT);
        }
    }

    public LogFilter {
        directives = List.copyOf(directives);
    }

    /**
     * Parses {@code text}; blank text means no directives.
     *
     * @throws IllegalArgumentException saying which directive is wrong
     */
    public static LogFilter parse(String text) {
        List<Directive> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String d = part.strip();
            if (d.isEmpty()) {
                continue;
            }
            if (d.contains("/")) {
                throw new IllegalArgumentException("found \"" + d + "\": message filters (/regex) are not supported");
            }
            int eq = d.indexOf('=');
            if (eq < 0) {
                Level bare = Level.parse(d);
                out.add(bare != null ? new Directive("", "", bare) : new Directive(d, loggerName(d), Level.TRACE));
                continue;
            }
            String target = d.substring(0, eq).strip();
            Level level = Level.parse(d.substring(eq + 1));
            if (level == null) {
                throw new IllegalArgumentException(
                        "found \"" + d + "\", whose level is not one of off, error, warn, info, debug, trace");
            }
            if (target.isEmpty()) {
                throw new IllegalArgumentException("found \"" + d + "\" without a target");
            }
            out.add(new Directive(target, loggerName(target), level));
        }
        return new LogFilter(out);
    }

    /** The Java logger name for a target: {@code nebula_worker::queue} becomes {@code io.nebula.worker.queue}. */
    static String loggerName(String target) {
        String t = target.replace("::", ".");
        if (t.equals(OUR_CRATE) || t.startsWith(OUR_CRATE + ".")) {
            t = OUR_PACKAGE + t.substring(OUR_CRATE.length());
        }
        if (!t.matches("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*")) {
            throw new IllegalArgumentException("found the target \"" + target + "\", which is not a logger name");
        }
        return t;
    }

    /** The level the filter gives {@code logger}: the nearest ancestor's directive wins, the last of equals. */
    public Level levelOf(String logger) {
        Level best = DEFAULT_ROOT;
        int bestLength = -1;
        for (Directive d : directives) {
            boolean covers = d.logger().isEmpty() || logger.equals(d.logger()) || logger.startsWith(d.logger() + ".");
            if (covers && d.logger().length() >= bestLength) {
                best = d.level();
                bestLength = d.logger().length();
            }
        }
        return best;
    }

    /**
     * This filter with {@code nebula_worker} at least as verbose as {@code level}; used by {@code -v}
     * ({@code debug}) and {@code -vv} ({@code trace}), which never make logging quieter.
     */
    public LogFilter atLeast(Level level) {
        if (levelOf(OUR_PACKAGE).compareTo(level) >= 0) {
            return this;
        }
        List<Directive> more = new ArrayList<>(directives);
        more.add(new Directive(OUR_CRATE, OUR_PACKAGE, level));
        return new LogFilter(more);
    }

    /** The filter in its own syntax, so it can be parsed again. */
    @Override
    public String toString() {
        return directives.stream().map(Directive::toString).collect(Collectors.joining(","));
    }
}
