package io.nebula.worker.console;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Places a workflow's nodes for drawing, left to right: a node's column is the length of the
 * longest dependency path that reaches it, so every edge points right; within a column nodes keep
 * the order of the mean row of their dependencies (then definition order), which keeps most edges
 * short and uncrossed. A pure function of the graph.
 */
final class DagLayout {
    static final int NODE_WIDTH = 176;
    static final int NODE_HEIGHT = 48;
    static final int COLUMN_GAP = 56;
    static final int ROW_GAP = 18;
    static final int MARGIN = 12;

    private DagLayout() {}

    /** A node of the graph to place, with its direct dependencies. */
    record Input(String id, List<String> dependsOn) {}

    /** A placed node: its top-left corner. */
    record Placed(String id, int column, int row, int x, int y) {}

    /** An edge from the right side of {@code from} to the left side of {@code to}, as an SVG path. */
    record Edge(String from, String to, String path) {}

    /** The drawing: placed nodes in input order, edges, and the size of the whole. */
    record Layout(List<Placed> nodes, List<Edge> edges, int width, int height) {}

    static Layout of(List<Input> inputs) {
        Map<String, Input> byId = new LinkedHashMap<>();
        inputs.forEach(n -> byId.put(n.id(), n));
        Map<String, Integer> column = new HashMap<>();
        for (Input n : inputs) {
            columnOf(n.id(), byId, column, new HashMap<>());
        }
        int columns = column.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        List<List<String>> cols = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            cols.add(new ArrayList<>());
        }
        inputs.forEach(n -> cols.get(column.get(n.id())).add(n.id()));
        Map<String, Integer> row = new HashMap<>();
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            order.put(inputs.get(i).id(), i);
        }
        for (List<String> col : cols) {
            Map<String, Double> weight = new HashMap<>();
            for (String id : col) {
                List<String> deps = byId.get(id).dependsOn().stream()
                        .filter(row::containsKey)
                        .toList();
                weight.put(
                        id,
                        deps.isEmpty()
                                ? order.get(id)
                                : deps.stream().mapToInt(row::get).average().orElse(0));
            }
            col.sort((a, b) -> {
                int w = Double.compare(weight.get(a), weight.get(b));
                return w != 0 ? w : Integer.compare(order.get(a), order.get(b));
            });
            for (int i = 0; i < col.size(); i++) {
                row.put(col.get(i), i);
            }
        }
        int rows = cols.stream().mapToInt(List::size).max().orElse(0);
        int height = MARGIN * 2 + rows * NODE_HEIGHT + Math.max(0, rows - 1) * ROW_GAP;
        int width = MARGIN * 2 + columns * NODE_WIDTH + Math.max(0, columns - 1) * COLUMN_GAP;
        Map<String, Placed> placed = new LinkedHashMap<>();
        for (Input n : inputs) {
            int c = column.get(n.id());
            int r = row.get(n.id());
            // Columns with fewer nodes are centred vertically.
            int offset = (rows - cols.get(c).size()) * (NODE_HEIGHT + ROW_GAP) / 2;
            placed.put(
                    n.id(),
                    new Placed(
                            n.id(),
                            c,
                            r,
                            MARGIN + c * (NODE_WIDTH + COLUMN_GAP),
                            MARGIN + offset + r * (NODE_HEIGHT + ROW_GAP)));
        }
        List<Edge> edges = new ArrayList<>();
        for (Input n : inputs) {
            Placed to = placed.get(n.id());
            for (String dep : n.dependsOn()) {
                Placed from = placed.get(dep);
                if (from != null) {
                    edges.add(new Edge(dep, n.id(), path(from, to)));
                }
            }
        }
        return new Layout(List.copyOf(placed.values()), edges, Math.max(width, 1), Math.max(height, 1));
    }

    /** The longest dependency path to {@code id}; a cycle (which validation forbids) is cut. */
    private static int columnOf(
            String id, Map<String, Input> byId, Map<String, Integer> memo, Map<String, Boolean> visiting) {
        Integer known = memo.get(id);
        if (known != null) {
            return known;
        }
        Input n = byId.get(id);
        if (n == null || visiting.containsKey(id)) {
            return -1;
        }
        visiting.put(id, true);
        int c = 0;
        for (String dep : n.dependsOn()) {
            if (byId.containsKey(dep)) {
                c = Math.max(c, columnOf(dep, byId, memo, visiting) + 1);
            }
        }
        visiting.remove(id);
        memo.put(id, c);
        return c;
    }

    private static String path(Placed from, Placed to) {
        int x1 = from.x() + NODE_WIDTH;
        int y1 = from.y() + NODE_HEIGHT / 2;
        int x2 = to.x();
        int y2 = to.y() + NODE_HEIGHT / 2;
        int mid = (x1 + x2) / 2;
        return "M" + x1 + "," + y1 + " C" + mid + "," + y1 + " " + mid + "," + y2 + " " + x2 + "," + y2;
    }
}
