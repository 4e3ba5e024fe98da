package io.nebula.worker.queue.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One operation's SQL, parsed once: a list of statements, each with its {@code :name} parameters
 * replaced by JDBC {@code ?} markers in order. Quotes, dollar-quoted bodies, comments and
 * PostgreSQL {@code ::type} casts are left alone.
 */
public final class SqlScript {

    /** One statement of a script and the parameter name behind each {@code ?}, in order. */
    public record Statement(String sql, List<String> parameters) {}

    private final String name;
    private final List<Statement> statements;

    private SqlScript(String name, List<Statement> statements) {
        this.name = name;
        this.statements = List.copyOf(statements);
    }

    public String name() {
        return name;
    }

    public List<Statement> statements() {
        return statements;
    }

    /**
     * Parses {@code text}, first replacing {@code ${key}} placeholders with {@code substitutions}
     * (values must already be validated identifiers).
     */
    public static SqlScript parse(String name, String text, Map<String, String> substitutions) {
        String src = text;
        for (Map.Entry<String, String> e : substitutions.entrySet()) {
            src = src.replace("${" + e.getKey() + "}", e.getValue());
        }
        List<Statement> out = new ArrayList<>();
        StringBuilder sql = new StringBuilder();
        List<String> params = new ArrayList<>();
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c == '-' && i + 1 < n && src.charAt(i + 1) == '-') {
                int end = src.indexOf('\n', i);
                i = end < 0 ? n : end;
                continue;
            }
            if (c == '\'' || c == '"') {
                int end = closing(src, i, c);
                sql.append(src, i, end);
                i = end;
                continue;
            }
            if (c == '$' && i + 1 < n && src.charAt(i + 1) == '$') {
                int end = src.indexOf("$$", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException(name + ": unterminated $$ block");
                }
                sql.append(src, i, end + 2);
                i = end + 2;
                continue;
            }
            if (c == ':' && i + 1 < n && src.charAt(i + 1) == ':') {
                sql.append("::");
                i += 2;
                continue;
            }
            if (c == ':' && i + 1 < n && Character.isLetter(src.charAt(i + 1))) {
                int j = i + 1;
                while (j < n && (Character.isLetterOrDigit(src.charAt(j)) || src.charAt(j) == '_')) {
                    j++;
                }
                params.add(src.substring(i + 1, j));
                sql.append('?');
                i = j;
                continue;
            }
            if (c == ';' && !insideTriggerBody(sql)) {
                add(out, sql, params);
                sql.setLength(0);
                params = new ArrayList<>();
                i++;
                continue;
            }
            sql.append(c);
            i++;
        }
        add(out, sql, params);
        if (out.isEmpty()) {
            throw new IllegalArgumentException(name + ": no statement");
        }
        return new SqlScript(name, out);
    }

    private static final java.util.regex.Pattern TRIGGER =
            java.util.regex.Pattern.compile("(?is)\\s*CREATE\\s+TRIGGER\\b.*\\bBEGIN\\b.*");
    private static final java.util.regex.Pattern TRIGGER_END = java.util.regex.Pattern.compile("(?is).*\\bEND\\s*");

    /** A SQLite trigger body (BEGIN ... END) holds semicolons that do not end the statement. */
    private static boolean insideTriggerBody(StringBuilder sql) {
        return TRIGGER.matcher(sql).matches() && !TRIGGER_END.matcher(sql).matches();
    }

    private static void add(List<Statement> out, StringBuilder sql, List<String> params) {
        String s = sql.toString().strip();
        if (!s.isEmpty()) {
            out.add(new Statement(s, List.copyOf(params)));
        }
    }

    private static int closing(String src, int start, char quote) {
        int i = start + 1;
        while (i < src.length()) {
            if (src.charAt(i) == quote) {
                if (i + 1 < src.length() && src.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException("unterminated quote starting at offset " + start);
    }
}
