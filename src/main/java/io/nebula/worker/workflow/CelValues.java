package io.nebula.worker.workflow;

import com.google.common.primitives.UnsignedLong;
import dev.cel.common.values.CelByteString;
import dev.cel.common.values.NullValue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Converts between JSON trees and the Java values CEL evaluates over: objects become maps, arrays
 * lists, integers {@code Long} (larger ones {@code Double}), other numbers {@code Double}, and JSON
 * null CEL's {@link NullValue} (a Java {@code null} would read as "unknown" to CEL).
 *
 * <p>Converting back charges the {@link Evaluation}'s value budgets (bytes and values) while it builds, so an
 * expression that fans a value out (a list mapped over itself) is stopped before it fills memory. CEL-only types map to JSON
 * text: bytes to base64, timestamps and durations to ISO-8601.
 */
final class CelValues {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CelValues() {}

    static Object toCel(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NullValue.NULL_VALUE;
        }
        if (node.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                m.put(e.getKey(), toCel(e.getValue()));
            }
            return m;
        }
        if (node.isArray()) {
            List<Object> l = new ArrayList<>(node.size());
            for (JsonNode item : node) {
                l.add(toCel(item));
            }
            return l;
        }
        if (node.isString()) {
            return node.asString();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.asLong() : (Object) node.asDouble();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        // Binary or POJO nodes do not occur in parsed JSON; treat them as text rather than fail.
        return node.asString();
    }

    static JsonNode toJson(Object value, Evaluation budget, String expression) throws EvaluationException {
        budget.spend(2, expression);
        budget.value(expression);
        if (value == null || value instanceof NullValue) {
            return NODES.nullNode();
        }
        if (value instanceof String s) {
            budget.spend(s.length(), expression);
            return NODES.stringNode(s);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Integer i) {
            return NODES.numberNode(i.longValue());
        }
        if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                throw new EvaluationException(expression, "value " + d + " cannot be represented in JSON");
            }
            return NODES.numberNode(d);
        }
        if (value instanceof UnsignedLong u) {
            return NODES.numberNode(u.bigIntegerValue());
        }
        if (value instanceof Map<?, ?> m) {
            ObjectNode o = NODES.objectNode();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                budget.spend(key.length() + 2, expression);
                o.set(key, toJson(e.getValue(), budget, expression));
            }
            return o;
        }
        if (value instanceof List<?> list) {
            ArrayNode a = NODES.arrayNode();
            for (Object item : list) {
                a.add(toJson(item, budget, expression));
            }
            return a;
        }
        if (value instanceof CelByteString bytes) {
            return text(Base64.getEncoder().encodeToString(bytes.toByteArray()), budget, expression);
        }
        if (value instanceof Instant || value instanceof Duration) {
            return text(value.toString(), budget, expression);
        }
        throw new EvaluationException(
                expression, "value of type " + value.getClass().getSimpleName() + " cannot be represented in JSON");
    }

    /** A CEL-only value as the JSON string it becomes; the value itself is counted already. */
    private static JsonNode text(String s, Evaluation budget, String expression) throws EvaluationException {
        budget.spend(s.length(), expression);
        return NODES.stringNode(s);
    }

    /** The CEL name of a value's type, for error messages. */
    static String typeName(Object value) {
        return switch (value) {
            case String s -> "a string";
            case Boolean b -> "a bool";
            case Long l -> "an int";
            case Double d -> "a double";
            case Map<?, ?> m -> "a map";
            case List<?> l -> "a list";
            case CelByteString b -> "bytes";
            default -> "a " + value.getClass().getSimpleName();
        };
    }
}
