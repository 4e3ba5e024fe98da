package io.nebula.worker.workflow;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds {@code ${{ ... }}} placeholders in a string. The closing {@code }}} is the first one
 * outside CEL string literals and outside braces opened inside the expression, so map literals
 * such as {@code ${{ {'a': {'b': 1}} }}} work.
 */
final class Placeholders {
    static final String OPEN = "${{";

    /**
     * A piece of a string: literal text, an expression's source (trimmed), or an error.
     */
    record Part(String text, String expression, String error) {}

    private Placeholders() {}

    static List<Part> split(String s) {
        List<Part> parts = new ArrayList<>();
        int pos = 0;
        while (pos < s.length()) {
            int open = s.indexOf(OPEN, pos);
            if (open < 0) {
                parts.add(new Part(s.substring(pos), null, null));
                break;
            }
            if (open > pos) {
                parts.add(new Part(s.substring(pos, open), null, null));
            }
            int close = findClose(s, open + OPEN.length());
            if (close < 0) {
                parts.add(new Part(null, null, "'${{' at offset " + open + " has no closing '}}'"));
                break;
            }
            String expr = s.substring(open + OPEN.length(), close).strip();
            if (expr.isEmpty()) {
                parts.add(new Part(null, null, "empty expression '${{ }}' at offset " + open));
            } else {
                parts.add(new Part(null, expr, null));
            }
            pos = close + 2;
        }
        return parts;
    }

    /** Index of the closing "}}", or -1. */
    private static int findClose(String s, int from) {
        int depth = 0;
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '\'', '"' -> quote = c;
                case '{' -> depth++;
                case '}' -> {
                    if (depth > 0) {
                        depth--;
                    } else if (i + 1 < s.length() && s.charAt(i + 1) == '}') {
                        return i;
                    }
                }
                default -> {}
            }
        }
        return -1;
    }
}
