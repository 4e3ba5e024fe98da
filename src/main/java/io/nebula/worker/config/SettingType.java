package io.nebula.worker.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * The value types a {@link Setting} can have, and how each is read from text (environment
 * variables and flags) and from a TOML node. Reading fails with {@link IllegalArgumentException}
 * whose message says what was found; the loader adds the key, the source and what is allowed.
 */
enum SettingType {
    INT,
    LONG,
    BOOL,
    STRING,
    STRING_LIST,
    /** Kept as text here; the loader parses it with {@link DatabaseUrls} once its source is known. */
    DATABASE_URL;

    Object fromText(String text) {
        String t = text.strip();
        return switch (this) {
            case INT -> parseWhole(t, Integer.MIN_VALUE, Integer.MAX_VALUE).intValue();
            case LONG -> parseWhole(t, Long.MIN_VALUE, Long.MAX_VALUE);
            case BOOL -> parseBool(t);
            case STRING, DATABASE_URL -> t;
            case STRING_LIST -> splitList(t);
        };
    }

    Object fromToml(JsonNode node) {
        return switch (this) {
            case INT -> {
                if (!node.isIntegralNumber()) {
                    throw new IllegalArgumentException("found " + describe(node));
                }
                if (!node.canConvertToInt()) {
                    throw new IllegalArgumentException("found " + node + ", which is too large");
                }
                yield node.intValue();
            }
            case LONG -> {
                if (!node.isIntegralNumber()) {
                    throw new IllegalArgumentException("found " + describe(node));
                }
                if (!node.canConvertToLong()) {
                    throw new IllegalArgumentException("found " + node + ", which is too large");
                }
                yield node.longValue();
            }
            case BOOL -> {
                if (!node.isBoolean()) {
                    throw new IllegalArgumentException("found " + describe(node));
                }
                yield node.booleanValue();
            }
            case STRING, DATABASE_URL -> {
                if (!node.isString()) {
                    throw new IllegalArgumentException("found " + describe(node));
                }
                yield node.stringValue();
            }
            case STRING_LIST -> {
                if (!node.isArray()) {
                    throw new IllegalArgumentException("found " + describe(node));
                }
                List<String> out = new ArrayList<>();
                for (JsonNode item : node) {
                    if (!item.isString()) {
                        throw new IllegalArgumentException("found an element that is " + describe(item));
                    }
                    out.add(item.stringValue());
                }
                yield List.copyOf(out);
            }
        };
    }

    private static Long parseWhole(String t, long min, long max) {
        long v;
        try {
            v = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("found \"" + t + "\", which is not a whole number");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException("found " + t + ", which is too large");
        }
        return v;
    }

    private static Boolean parseBool(String t) {
        return switch (t.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException("found \"" + t + "\", which is not a boolean");
        };
    }

    private static List<String> splitList(String t) {
        return Arrays.stream(t.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** A short description of a TOML value's type, for "found ..." messages. */
    static String describe(JsonNode node) {
        if (node.isString()) {
            return "a string";
        }
        if (node.isIntegralNumber()) {
            return "an integer";
        }
        if (node.isNumber()) {
            return "a decimal number";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isObject()) {
            return "a table";
        }
        return "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
