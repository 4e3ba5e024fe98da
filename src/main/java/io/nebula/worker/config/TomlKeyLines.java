package io.nebula.worker.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The line on which each key and table of a TOML document is defined, so configuration errors can
 * say "file config/worker.toml line 3".
 *
 * <p>Why a scanner of our own: Jackson's TOML module parses the whole document into a tree before
 * handing out tokens, so its parser reports no token locations. This scanner understands just
 * enough TOML to find definitions: table headers, dotted and quoted keys, and which lines are
 * inside multi-line strings or arrays (and so define nothing). It runs only on documents Jackson
 * already accepted, so it need not diagnose syntax. Keys inside inline tables are attributed to
 * the line of the key that holds the table.
 */
final class TomlKeyLines {
    private final Map<String, Integer> lines;
    private final int firstDuplicate;

    private TomlKeyLines(Map<String, Integer> lines, int firstDuplicate) {
        this.lines = lines;
        this.firstDuplicate = firstDuplicate;
    }

    /** Indexes {@code text}; lines are 1-based. */
    static TomlKeyLines index(String text) {
        Map<String, Integer> lines = new HashMap<>();
        Set<String> keys = new HashSet<>();
        int firstDuplicate = 0;
        Scanner scanner = new Scanner();
        String table = "";
        String[] rows = text.split("\r?\n", -1);
        for (int i = 0; i < rows.length; i++) {
            int lineNo = i + 1;
            String row = rows[i];
            if (scanner.insideValue()) {
                scanner.scanValue(row, 0);
                continue;
            }
            String s = row.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            if (s.startsWith("[")) {
                boolean arrayTable = s.startsWith("[[");
                int start = arrayTable ? 2 : 1;
                int end = s.indexOf(arrayTable ? "]]" : "]", start);
                table = String.join(".", keySegments(s.substring(start, end < 0 ? s.length() : end)));
                record(lines, table, lineNo);
                continue;
            }
            int eq = keyEnd(s);
            if (eq < 0) {
                continue;
            }
            List<String> segments = keySegments(s.substring(0, eq));
            String path = table;
            for (String segment : segments) {
                path = path.isEmpty() ? segment : path + "." + segment;
                record(lines, path, lineNo);
            }
            if (!keys.add(path) && firstDuplicate == 0) {
                firstDuplicate = lineNo;
            }
            scanner.scanValue(s, eq + 1);
        }
        return new TomlKeyLines(lines, firstDuplicate);
    }

    /**
     * The line defining {@code dottedPath}, else the line of its nearest defined ancestor, else 0.
     */
    int lineOf(String dottedPath) {
        String path = dottedPath;
        while (!path.isEmpty()) {
            Integer line = lines.get(path);
            if (line != null) {
                return line;
            }
            int dot = path.lastIndexOf('.');
            path = dot < 0 ? "" : path.substring(0, dot);
        }
        return 0;
    }

    /**
     * The first line that defines a key already defined, or 0. Jackson reports a duplicate key at
     * the token after it (often the next line), so the message uses this line instead.
     */
    int firstDuplicate() {
        return firstDuplicate;
    }

    private static void record(Map<String, Integer> lines, String path, int line) {
        lines.putIfAbsent(path, line);
    }

    /** Index of the {@code =} that ends the key, skipping quoted key segments; -1 if none. */
    private static int keyEnd(String s) {
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '=') {
                return i;
            }
        }
        return -1;
    }

    /** Splits {@code a."b.c".d} into {@code [a, b.c, d]}, unquoting as it goes. */
    static List<String> keySegments(String key) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"' && i + 1 < key.length()) {
                    cur.append(key.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '.') {
                out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString().strip());
        return out;
    }

    /** Tracks whether a value continues past the end of its line (multi-line string or array). */
    private static final class Scanner {
        private String multiline; // the closing delimiter of an open multi-line string, or null
        private int depth; // open [ and { of the current value

        boolean insideValue() {
            return multiline != null || depth > 0;
        }

        void scanValue(String row, int from) {
            int i = from;
            while (i < row.length()) {
                if (multiline != null) {
                    int end = row.indexOf(multiline, i);
                    if (end < 0) {
                        return;
                    }
                    i = end + 3;
                    multiline = null;
                    continue;
                }
                char c = row.charAt(i);
                if (row.startsWith("\"\"\"", i) || row.startsWith("'''", i)) {
                    multiline = row.substring(i, i + 3);
                    i += 3;
                } else if (c == '"' || c == '\'') {
                    i = skipString(row, i);
                } else if (c == '#') {
                    return;
                } else {
                    if (c == '[' || c == '{') {
                        depth++;
                    } else if ((c == ']' || c == '}') && depth > 0) {
                        depth--;
                    }
                    i++;
                }
            }
        }

        private static int skipString(String row, int start) {
            char quote = row.charAt(start);
            for (int i = start + 1; i < row.length(); i++) {
                char c = row.charAt(i);
                if (c == '\\' && quote == '"') {
                    i++;
                } else if (c == quote) {
                    return i + 1;
                }
            }
            return row.length();
        }
    }
}
