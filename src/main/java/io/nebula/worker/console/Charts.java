package io.nebula.worker.console;

import io.nebula.worker.queue.ThroughputBucket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns per-minute counts into the geometry of a small SVG bar chart. */
final class Charts {
    static final int BAR_WIDTH = 8;
    static final int BAR_GAP = 2;
    static final int HEIGHT = 28;

    private Charts() {}

    /**
     * One bar per minute from {@code first} on, {@code minutes} of them, scaled to the busiest
     * minute; the failed part of each bar is drawn on top of it.
     */
    static Pages.Chart minutes(List<ThroughputBucket> buckets, Instant first, int minutes) {
        long[] finished = new long[minutes];
        long[] failed = new long[minutes];
        boolean[] capped = new boolean[minutes];
        for (ThroughputBucket b : buckets) {
            int i = (int) Duration.between(first, b.minute()).toMinutes();
            if (i >= 0 && i < minutes) {
                finished[i] += b.finished();
                failed[i] += b.failed();
                capped[i] |= b.capped();
            }
        }
        long most = 0;
        long total = 0;
        for (long f : finished) {
            most = Math.max(most, f);
            total += f;
        }
        long max = Math.max(1, most);
        List<Pages.Bar> bars = new ArrayList<>();
        for (int i = 0; i < minutes; i++) {
            int h = finished[i] == 0 ? 0 : (int) Math.max(1, Math.round((double) finished[i] * HEIGHT / max));
            int fh = failed[i] == 0 ? 0 : (int) Math.max(1, Math.round((double) failed[i] * HEIGHT / max));
            String at = first.plus(Duration.ofMinutes(i)).toString().substring(11, 16);
            String title = at + " UTC: " + (capped[i] ? "at least " : "") + finished[i] + " finished"
                    + (failed[i] > 0 ? ", " + failed[i] + " failed" : "");
            int x = i * (BAR_WIDTH + BAR_GAP);
            bars.add(new Pages.Bar(x, HEIGHT - h, BAR_WIDTH, h, HEIGHT - fh, fh, title));
        }
        String summary = total + " finished in the last " + minutes + " minutes, at most " + most + " in one minute";
        return new Pages.Chart(minutes * (BAR_WIDTH + BAR_GAP) - BAR_GAP, HEIGHT, bars, summary);
    }
}
