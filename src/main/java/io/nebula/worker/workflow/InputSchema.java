package io.nebula.worker.workflow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The small JSON Schema subset a workflow may declare for its input: {@code type} (object,
 * array, string, integer, number, boolean, null, or a list of them), {@code properties}, {@code
 * required}, {@code items}, {@code enum} and {@code additionalProperties: false}. Enough to reject
 * a wrong input at submit instead of failing a node later; anything richer belongs in the
 * actions.
 */
public final class InputSchema {
    private static final Set<String> KEYWORDS = Set.of(
            "type",
            "properties",
            "required",
            "items",
            "enum",
            "additionalProperties",
            "description",
            "title",
            "default",
            "$schema");
    private static final Set<String> TYPES =
            Set.of("object", "array", "string", "integer", "number", "boolean", "null");

    private final List<String> types;
    private final Map<String, InputSchema> properties;
    private final List<String> required;
    private final InputSchema items;
    private final JsonNode enumValues;
    private final boolean closed;

    private InputSchema(
            List<String> types,
            Map<String, InputSchema> properties,
            List<String> required,
            InputSchema items,
            JsonNode enumValues,
            boolean closed) {
        this.types = types;
        this.properties = properties;
        this.required = required;
        this.items = items;
        this.enumValues = enumValues;
        this.closed = closed;
    }

    /**
     * What is wrong with {@code input} for the stored definition {@code definition} (its {@code
     * input_schema}, which storing it checked); empty when it fits or the definition has none.
     */
    public static List<String> problems(JsonNode definition, JsonNode input) {
        JsonNode schema = definition.get("input_schema");
        if (schema == null || schema.isNull()) {
            return List.of();
        }
        List<String> unreadable = new java.util.ArrayList<>();
        InputSchema s = read(schema, "/input_schema", (pointer, message) -> unreadable.add(pointer + ": " + message));
        return s == null || !unreadable.isEmpty() ? List.of() : s.validate(input);
    }

    /** Reads a schema; problems are reported with pointers relative to {@code pointer}. */
    static InputSchema read(JsonNode s, String pointer, Template.ProblemSink sink) {
        if (!s.isObject()) {
            sink.report(pointer, "schema must be an object");
            return null;
        }
        for (String k : s.propertyNames()) {
            if (!KEYWORDS.contains(k)) {
                sink.report(
                        pointer + "/" + Template.escape(k),
                        "unsupported schema keyword '" + k + "' (supported: "
                                + KEYWORDS.stream().sorted().toList() + ")");
            }
        }
        List<String> types = new ArrayList<>();
        JsonNode t = s.get("type");
        if (t != null) {
            for (JsonNode one : t.isArray() ? t : List.of(t)) {
                if (!one.isString() || !TYPES.contains(one.asString())) {
                    sink.report(
                            pointer + "/type",
                            "type must be one of " + TYPES.stream().sorted().toList());
                } else {
                    types.add(one.asString());
                }
            }
        }
        Map<String, InputSchema> props = new LinkedHashMap<>();
        JsonNode p = s.get("properties");
        if (p != null) {
            if (!p.isObject()) {
                sink.report(pointer + "/properties", "properties must be an object");
            } else {
                for (Map.Entry<String, JsonNode> e : p.properties()) {
                    InputSchema child =
                            read(e.getValue(), pointer + "/properties/" + Template.escape(e.getKey()), sink);
                    if (child != null) {
                        props.put(e.getKey(), child);
                    }
                }
            }
        }
        List<String> req = new ArrayList<>();
        JsonNode r = s.get("required");
        if (r != null) {
            if (!r.isArray()) {
                sink.report(pointer + "/required", "required must be an array of property names");
            } else {
                for (JsonNode name : r) {
                    if (name.isString()) {
                        req.add(name.asString());
                    } else {
                        sink.report(pointer + "/required", "required must be an array of property names");
                    }
                }
            }
        }
        JsonNode i = s.get("items");
        InputSchema items = i == null ? null : read(i, pointer + "/items", sink);
        JsonNode en = s.get("enum");
        if (en != null && !en.isArray()) {
            sink.report(pointer + "/enum", "enum must be an array");
            en = null;
        }
        JsonNode ap = s.get("additionalProperties");
        if (ap != null && !ap.isBoolean()) {
            sink.report(pointer + "/additionalProperties", "only additionalProperties: true or false is supported");
        }
        boolean closed = ap != null && ap.isBoolean() && !ap.asBoolean();
        return new InputSchema(List.copyOf(types), props, List.copyOf(req), items, en, closed);
    }

    /** The schema of a declared property, or {@code null}. */
    InputSchema property(String name) {
        return properties.get(name);
    }

    /** Declared property names, in definition order. */
    List<String> propertyNames() {
        return List.copyOf(properties.keySet());
    }

    /** Whether properties other than the declared ones are refused ({@code additionalProperties: false}). */
    boolean closed() {
        return closed;
    }

    /** The schema of array elements, or {@code null}. */
    InputSchema items() {
        return items;
    }

    /** Problems with {@code value}, each prefixed with the JSON pointer inside the input. */
    public List<String> validate(JsonNode value) {
        List<String> out = new ArrayList<>();
        check(value, "", out);
        return out;
    }

    private void check(JsonNode v, String at, List<String> out) {
        String where = at.isEmpty() ? "input" : "input" + at;
        if (!types.isEmpty() && types.stream().noneMatch(t -> hasType(v, t))) {
            out.add(where + ": must be " + String.join(" or ", types) + ", got " + typeOf(v));
            return;
        }
        if (enumValues != null) {
            boolean found = false;
            for (JsonNode e : enumValues) {
                found |= e.equals(v);
            }
            if (!found) {
                out.add(where + ": must be one of " + enumValues);
            }
        }
        if (v.isObject()) {
            for (String name : required) {
                if (!v.has(name)) {
                    out.add(where + ": missing required property '" + name + "'");
                }
            }
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                InputSchema child = properties.get(e.getKey());
                if (child != null) {
                    child.check(e.getValue(), at + "/" + Template.escape(e.getKey()), out);
                } else if (closed) {
                    out.add(where + ": unexpected property '" + e.getKey() + "'");
                }
            }
        }
        if (v.isArray() && items != null) {
            for (int i = 0; i < v.size(); i++) {
                items.check(v.get(i), at + "/" + i, out);
            }
        }
    }

    private static boolean hasType(JsonNode v, String t) {
        return switch (t) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isString();
            case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()));
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            default -> false;
        };
    }

    private static String typeOf(JsonNode v) {
        if (v.isIntegralNumber()) {
            return "integer";
        }
        return v.isNumber()
                ? "number"
                : v.isString() ? "string" : v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
