package io.nebula.worker.bench;

import io.nebula.worker.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * A finished benchmark: the command, the machine, the results and the goals, rendered either as
 * plain-text tables (one per scenario, each cell the median with the lowest and highest run) or
 * as one JSON document whose results carry each figure's median under its own name ({@code
 * executions_per_second}, {@code p99_ms}...) and the runs under {@code spread}.
 */
record Report(
        String command,
        Map<String, Object> machine,
        Map<String, Object> options,
        List<ScenarioResult> results,
        List<Goals.Verdict> goals) {

    private static final JsonMapper JSON = Json.INDENTED;

    /** A number as the report shows it: whole above 100, else up to two decimals. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    String table() {
        StringBuilder out = new StringBuilder();
        out.append("nebula-worker benchmark\n");
        out.append("command: ").append(command).append('\n');
        machine.forEach(
                (k, v) -> out.append("  ").append(k).append(": ").append(v).append('\n'));
        out.append("Each cell: median of the runs [lowest - highest].\n");
        Map<String, List<ScenarioResult>> byScenario = new LinkedHashMap<>();
        results.forEach(r ->
                byScenario.computeIfAbsent(r.scenario(), k -> new ArrayList<>()).add(r));
        byScenario.forEach((scenario, rs) -> out.append('\n').append(scenarioTable(scenario, rs)));
        out.append("\nGoals\n");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("goal", "target", "measured", "verdict"));
        goals.forEach(g -> rows.add(List.of(g.goal(), g.target(), g.measured(), g.verdict())));
        out.append(TextTable.render(rows));
        return out.toString();
    }

    private static String scenarioTable(String scenario, List<ScenarioResult> rs) {
        Set<String> figures = new LinkedHashSet<>();
        rs.forEach(r -> figures.addAll(r.figures().keySet()));
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("store", "variant"));
        header.addAll(figures);
        rows.add(header);
        Set<String> notes = new LinkedHashSet<>();
        for (ScenarioResult r : rs) {
            List<String> row = new ArrayList<>(List.of(r.store(), r.variant()));
            for (String f : figures) {
                Spread s = r.figures().get(f);
                row.add(
                        s == null
                                ? "-"
                                : s.runs().size() == 1
                                        ? number(s.median())
                                        : number(s.median()) + " [" + number(s.min()) + " - " + number(s.max()) + "]");
            }
            rows.add(row);
            notes.addAll(r.notes());
        }
        StringBuilder out = new StringBuilder(scenario).append('\n').append(TextTable.render(rows));
        notes.forEach(n -> out.append("  note: ").append(n).append('\n'));
        return out.toString();
    }

    String json() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "nebula-worker");
        doc.put("command", command);
        doc.put("machine", machine);
        doc.put("options", options);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (ScenarioResult r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scenario", r.scenario());
            m.put("store", r.store());
            m.put("variant", r.variant());
            m.putAll(r.parameters());
            Map<String, Object> spread = new LinkedHashMap<>();
            r.figures().forEach((name, s) -> {
                m.put(name, MeteredStore.round(s.median(), 2));
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("median", MeteredStore.round(s.median(), 2));
                v.put("min", MeteredStore.round(s.min(), 2));
                v.put("max", MeteredStore.round(s.max(), 2));
                v.put("spread_percent", MeteredStore.round(s.spreadPercent(), 1));
                v.put(
                        "runs",
                        s.runs().stream().map(x -> MeteredStore.round(x, 2)).toList());
                spread.put(name, v);
            });
            m.put("spread", spread);
            m.put("details", r.details());
            m.put("notes", r.notes());
            rs.add(m);
        }
        doc.put("results", rs);
        doc.put("goals", goals);
        return JSON.writeValueAsString(doc);
    }
}
