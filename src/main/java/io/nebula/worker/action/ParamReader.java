package io.nebula.worker.action;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeType;

/**
 * Reads an action's parameters once, for both of the action's duties: static validation at load
 * time ({@link #forValidation}) and reading resolved values at run time ({@link #forExecution}).
 * Sharing one reader keeps the two in agreement.
 *
 * <p>In validation mode a value that is still an expression (a string containing {@code ${{}) is
 * unknown, so it is accepted and read as absent. Every problem is collected as {@code "name:
 * reason"}; nothing throws until {@link #throwIfInvalid()}.
 */
public final class ParamReader {
    /** The marker that makes a string an expression; kept in sync with the workflow templates. */
    public static final String EXPRESSION_MARK = "${{";

    private final JsonNode params;
    private final boolean validating;
    private final List<String> problems = new ArrayList<>();

    private ParamReader(JsonNode params, boolean validating) {
        this.params = params;
        this.validating = validating;
        if (params != null && !params.isNull() && !params.isObject() && !isExpression(params)) {
            problems.add("params: must be an object, got " + describe(params));
        }
    }

    public static ParamReader forValidation(JsonNode params) {
        return new ParamReader(params, true);
    }

    public static ParamReader forExecution(JsonNode params) {
        return new ParamReader(params, false);
    }

    /** Whether this reader checks a definition (values may still be expressions) or reads resolved values. */
    public boolean validating() {
        return validating;
    }

    /** True for a string that the runtime will evaluate, so its final type is not known yet. */
    public static boolean isExpression(JsonNode value) {
        return value != null && value.isString() && value.asString().contains(EXPRESSION_MARK);
    }

    private JsonNode raw(String name, boolean required) {
        if (params == null || !params.isObject()) {
            if (required && !(validating && isExpression(params))) {
                problems.add(name + ": is required");
            }
            return null;
        }
        JsonNode v = params.get(name);
        if (v == null || v.isMissingNode()) {
            if (required) {
                problems.add(name + ": is required");
            }
            return null;
        }
        if (validating && isExpression(v)) {
            return null;
        }
        return v;
    }

    /** Any JSON value, or {@code null} when absent (or unknown while validating). */
    public JsonNode value(String name, boolean required) {
        return raw(name, required);
    }

    public String string(String name, boolean required) {
        JsonNode v = raw(name, required);
        if (v == null || v.isNull() && !required) {
            return null;
        }
        if (!v.isString()) {
            problems.add(name + ": must be a string, got " + describe(v));
            return null;
        }
        return v.asString();
    }

    public Boolean bool(String name, boolean required) {
        JsonNode v = raw(name, required);
        if (v == null || v.isNull() && !required) {
            return null;
        }
        if (!v.isBoolean()) {
            problems.add(name + ": must be true or false, got " + describe(v));
            return null;
        }
        return v.asBoolean();
    }

    /** A whole number in {@code [min, max]}. */
    public Long integer(String name, boolean required, long min, long max) {
        JsonNode v = raw(name, required);
        if (v == null || v.isNull() && !required) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            problems.add(name + ": must be a whole number, got " + describe(v));
            return null;
        }
        long n = v.asLong();
        if (n < min || n > max) {
            problems.add(name + ": must be between " + min + " and " + max + ", got " + n);
            return null;
        }
        return n;
    }

    /** A number (whole or not) in {@code [min, max]}. */
    public Double number(String name, boolean required, double min, double max) {
        JsonNode v = raw(name, required);
        if (v == null || v.isNull() && !required) {
            return null;
        }
        if (!v.isNumber()) {
            problems.add(name + ": must be a number, got " + describe(v));
            return null;
        }
        double n = v.asDouble();
        if (!(n >= min && n <= max)) {
            problems.add(name + ": must be between " + plain(min) + " and " + plain(max) + ", got " + v);
            return null;
        }
        return n;
    }

    /** An object whose values are strings; an expression value inside it is skipped when validating. */
    public Map<String, String> stringMap(String name) {
        JsonNode v = raw(name, false);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            problems.add(name + ": must be an object of strings, got " + describe(v));
            return out;
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            JsonNode item = e.getValue();
            if (item.isString()) {
                out.put(e.getKey(), item.asString());
            } else if (!(validating && isExpression(item))) {
                problems.add(name + ": value of '" + e.getKey() + "' must be a string, got " + describe(item));
            }
        }
        return out;
    }

    /** Reports parameters not in {@code known}; typos are otherwise silently ignored. */
    public void rejectUnknown(Set<String> known) {
        if (params == null || !params.isObject()) {
            return;
        }
        for (Iterator<String> it = params.propertyNames().iterator(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                problems.add(name + ": unknown parameter (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    /** Adds a problem found by the action's own checks. */
    public void problem(String message) {
        problems.add(message);
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** At run time: resolved parameters that are wrong will be wrong on every try, so permanent. */
    public void throwIfInvalid() throws ActionException {
        if (!problems.isEmpty()) {
            throw ActionException.permanent("invalid params: " + String.join("; ", problems));
        }
    }

    static String describe(JsonNode v) {
        JsonNodeType t = v.getNodeType();
        return switch (t) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** {@code 31622400} rather than {@code 3.16224E7}; {@code 0.001} as it is. */
    private static String plain(double d) {
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
