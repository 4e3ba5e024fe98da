package io.nebula.worker.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table for people: a header row, columns padded to their widest cell and separated
 * by two spaces. Cells are made safe for a terminal first: control characters (newlines, escape
 * sequences a workflow output might carry) become spaces, and cells longer than their column's
 * limit are cut with an ellipsis. Scripts should use {@code --json}, whose values are never cut.
 */
final class Table {
    private final String[] headers;
    private final int[] limits;
    private final List<String[]> rows = new ArrayList<>();

    /** A table whose cells are cut at 60 characters. */
    Table(String... headers) {
        this.headers = headers.clone();
        this.limits = new int[headers.length];
        Arrays.fill(limits, 60);
    }

    /** Sets how long cells of {@code column} may be before they are cut. */
    Table limit(int column, int max) {
        limits[column] = max;
        return this;
    }

    Table row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("expected " + headers.length + " cells, got " + cells.length);
        }
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cut(clean(cells[i] == null ? "-" : String.valueOf(cells[i])), limits[i]);
        }
        rows.add(r);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintWriter out) {
        int[] widths = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            widths[i] = headers[i].length();
            for (String[] r : rows) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        line(out, headers, widths);
        for (String[] r : rows) {
            line(out, r, widths);
        }
        out.flush();
    }

    private static void line(PrintWriter out, String[] cells, int[] widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            b.append(cells[i]);
            if (i < cells.length - 1) {
                b.append(" ".repeat(widths[i] - cells[i].length() + 2));
            }
        }
        out.println(b.toString().stripTrailing());
    }

    /** Replaces control characters (including ESC and newlines) with spaces. */
    static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        return b.toString();
    }

    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(0, max - 1)) + "…";
    }
}
