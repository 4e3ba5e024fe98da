package io.nebula.worker.config;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * What a {@link Setting} accepts, as a test and as the words an error message uses for it.
 *
 * @param allowed e.g. {@code "a whole number >= 1"}; completes "expected ..."
 * @param test true when a value (already of the setting's type) is acceptable
 */
record Constraint(String allowed, Predicate<Object> test) {
    /** What a boolean setting takes, in the words of an error message. */
    static final String BOOLEAN = "true or false (or 1/0, yes/no, on/off)";

    static Constraint any(String allowed) {
        return new Constraint(allowed, v -> true);
    }

    static Constraint atLeast(long min) {
        return new Constraint("a whole number >= " + min, v -> ((Number) v).longValue() >= min);
    }

    static Constraint between(long min, long max, String what) {
        return new Constraint(what + " from " + min + " to " + max, v -> {
            long n = ((Number) v).longValue();
            return n >= min && n <= max;
        });
    }

    static Constraint oneOf(String... choices) {
        Set<String> set = Set.of(choices);
        return new Constraint("one of " + String.join(", ", choices), set::contains);
    }

    static Constraint matching(Pattern pattern, String allowed) {
        return new Constraint(allowed, v -> pattern.matcher((String) v).matches());
    }

    /** A non-empty list whose every element matches {@code element}. */
    static Constraint listOf(Pattern element, String allowed) {
        return new Constraint(allowed, v -> {
            List<?> list = (List<?>) v;
            return !list.isEmpty()
                    && list.stream().allMatch(e -> element.matcher((String) e).matches());
        });
    }

    boolean accepts(Object value) {
        return test.test(value);
    }
}
