package io.nebula.worker.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of one scenario variant (say, drain on PostgreSQL at concurrency 64, batch 64): its
 * parameters, each figure as a {@link Spread} over the repeats, extra detail that is not a figure
 * (store calls per execution, rows written), and notes such as a run that did not finish.
 *
 * @param scenario the scenario's short name
 * @param variant a short human label of the parameters, e.g. {@code c=64 b=64}
 * @param store {@code postgres} or {@code sqlite}
 * @param parameters the parameters, by name, in a stable order
 * @param figures the measured figures by name ({@code executions_per_second}, {@code p99_ms}...)
 * @param details measured context that is not a headline figure
 * @param notes anything the reader must know to trust the figures
 */
public record ScenarioResult(
        String scenario,
        String variant,
        String store,
        Map<String, Object> parameters,
        Map<String, Spread> figures,
        Map<String, Object> details,
        List<String> notes) {

    public ScenarioResult {
        parameters = copy(parameters);
        figures = copy(figures);
        details = copy(details);
        notes = List.copyOf(notes);
    }

    private static <V> Map<String, V> copy(Map<String, V> m) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    /** The figure's median, or NaN when it was not measured. */
    public double median(String figure) {
        Spread s = figures.get(figure);
        return s == null ? Double.NaN : s.median();
    }
}
