package io.nebula.worker.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the values of each figure of one scenario variant across its repeats, then turns them
 * into {@link Spread}s. Figures keep the order in which they were first added. Not thread-safe.
 */
final class FigureSet {
    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Object> details = new LinkedHashMap<>();

    void add(String figure, double value) {
        if (!Double.isNaN(value) && !Double.isInfinite(value)) {
            values.computeIfAbsent(figure, k -> new ArrayList<>()).add(value);
        }
    }

    void note(String note) {
        if (!notes.contains(note)) {
            notes.add(note);
        }
    }

    /** Keeps the latest value of a detail (context measured on each run, reported once). */
    void detail(String name, Object value) {
        details.put(name, value);
    }

    ScenarioResult result(String scenario, String variant, String store, Map<String, Object> parameters) {
        Map<String, Spread> figures = new LinkedHashMap<>();
        values.forEach((k, v) -> figures.put(k, Spread.of(v)));
        return new ScenarioResult(scenario, variant, store, parameters, figures, details, notes);
    }
}
