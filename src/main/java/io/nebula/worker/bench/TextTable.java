package io.nebula.worker.bench;

import java.util.List;

/**
 * Renders rows of cells as an aligned plain-text table: the first row is the header, text columns
 * are left-aligned, columns whose cells start with a digit are right-aligned.
 */
final class TextTable {
    private TextTable() {}

    static String render(List<List<String>> rows) {
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] width = new int[columns];
        boolean[] numeric = new boolean[columns];
        for (int c = 0; c < columns; c++) {
            numeric[c] = true;
            for (int r = 0; r < rows.size(); r++) {
                String cell = cell(rows.get(r), c);
                width[c] = Math.max(width[c], cell.length());
                if (r > 0 && !cell.isEmpty() && !cell.equals("-") && !Character.isDigit(cell.charAt(0))) {
                    numeric[c] = false;
                }
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                String cell = cell(rows.get(r), c);
                String pad = " ".repeat(width[c] - cell.length());
                line.append("  ").append(numeric[c] && r > 0 ? pad + cell : cell + pad);
            }
            out.append(line.toString().stripTrailing()).append('\n');
            if (r == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                out.append("  ").append("-".repeat(Math.max(0, total - 2))).append('\n');
            }
        }
        return out.toString();
    }

    private static String cell(List<String> row, int c) {
        return c < row.size() && row.get(c) != null ? row.get(c) : "";
    }
}
