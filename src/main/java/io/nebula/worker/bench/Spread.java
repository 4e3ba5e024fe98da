package io.nebula.worker.bench;

import java.util.Arrays;
import java.util.List;

/**
 * One figure measured several times: the median the report leads with, and the spread around it
 * (lowest, highest, every run in order), so a reader can tell a real difference from noise.
 *
 * @param runs the values of each run, in the order they were measured
 */
public record Spread(double median, double min, double max, List<Double> runs) {

    public Spread {
        runs = List.copyOf(runs);
    }

    /**
     * Summarises the runs.
     *
     * @throws IllegalArgumentException when there are none
     */
    public static Spread of(List<Double> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to summarise");
        }
        double[] sorted =
                runs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Spread(median, sorted[0], sorted[n - 1], runs);
    }

    /** Max minus min as a percentage of the median; 0 for a single run. */
    public double spreadPercent() {
        return median == 0 ? 0 : (max - min) / Math.abs(median) * 100;
    }

    /**
     * The {@code p}-th percentile (0 to 100) of {@code values} by the nearest-rank method: the
     * smallest value with at least p% of the values at or below it.
     */
    public static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
