package io.nebula.worker.workflow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds cycles among node dependencies and computes each node's upstream set. Iterative depth-first
 * search, so a 1,000-node chain cannot overflow the stack.
 */
final class GraphCheck {
    private GraphCheck() {}

    /**
     * Each distinct cycle once, as node ids in dependency order with the first repeated at the end
     * ({@code a, b, c, a} means a depends on b, b on c, c on a). {@code deps} must only name
     * existing nodes.
     */
    static List<List<String>> cycles(List<String> order, Map<String, List<String>> deps) {
        Map<String, Integer> state = new HashMap<>(); // absent: new, 1: on the stack, 2: done
        List<List<String>> found = new ArrayList<>();
        Set<Set<String>> seen = new HashSet<>();
        for (String start : order) {
            if (state.containsKey(start)) {
                continue;
            }
            List<String> path = new ArrayList<>();
            List<Integer> next = new ArrayList<>();
            path.add(start);
            next.add(0);
            state.put(start, 1);
            while (!path.isEmpty()) {
                int top = path.size() - 1;
                String node = path.get(top);
                List<String> ds = deps.getOrDefault(node, List.of());
                int i = next.get(top);
                if (i >= ds.size()) {
                    state.put(node, 2);
                    path.remove(top);
                    next.remove(top);
                    continue;
                }
                next.set(top, i + 1);
                String d = ds.get(i);
                Integer s = state.get(d);
                if (s == null) {
                    state.put(d, 1);
                    path.add(d);
                    next.add(0);
                } else if (s == 1) {
                    List<String> cycle = new ArrayList<>(path.subList(path.indexOf(d), path.size()));
                    if (seen.add(new HashSet<>(cycle))) {
                        cycle.add(d);
                        found.add(cycle);
                    }
                }
            }
        }
        return found;
    }

    /** For an acyclic graph: every node's transitive dependencies. */
    static Map<String, Set<String>> upstream(List<String> order, Map<String, List<String>> deps) {
        Map<String, Set<String>> memo = new HashMap<>();
        for (String id : order) {
            collect(id, deps, memo);
        }
        return memo;
    }

    private static Set<String> collect(String root, Map<String, List<String>> deps, Map<String, Set<String>> memo) {
        // Post-order without recursion: push a node back after its dependencies.
        List<String> stack = new ArrayList<>(List.of(root));
        while (!stack.isEmpty()) {
            String n = stack.get(stack.size() - 1);
            if (memo.containsKey(n)) {
                stack.remove(stack.size() - 1);
                continue;
            }
            boolean ready = true;
            for (String d : deps.getOrDefault(n, List.of())) {
                if (!memo.containsKey(d)) {
                    stack.add(d);
                    ready = false;
                }
            }
            if (ready) {
                Set<String> all = new LinkedHashSet<>();
                for (String d : deps.getOrDefault(n, List.of())) {
                    all.add(d);
                    all.addAll(memo.get(d));
                }
                memo.put(n, all);
                stack.remove(stack.size() - 1);
            }
        }
        return memo.get(root);
    }
}
