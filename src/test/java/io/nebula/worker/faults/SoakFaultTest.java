package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.faults.Nemesis.Kind;
import io.nebula.worker.testing.PrometheusText;
import io.nebula.worker.testing.WorkerProcess;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, soak (not run by default): three workers under a steady submit rate for {@code
 * -Dnebula.soak.minutes} minutes ({@code -Dnebula.soak.rate} executions a second, default 40),
 * with a kill or a dropped connection every half minute unless {@code -Dnebula.soak.faults=false}.
 * Every 10 s it samples each worker's heap after the last GC and resident memory, the backlog, and
 * the dead rows of {@code executions}; at the end the backlog must have stayed bounded, memory must
 * not have kept growing, dead rows must have been vacuumed, and every invariant must hold.
 *
 * <pre>./mvnw -B test -Dtest=SoakFaultTest -Dnebula.soak.minutes=30</pre>
 */
@Tag("fault")
class SoakFaultTest {
    record Sample(long seconds, long backlog, long deadRows, long maxHeapBytes, long maxRssBytes) {}

    @Test
    @Timeout(value = 24, unit = java.util.concurrent.TimeUnit.HOURS)
    void steadySubmitAndDrainStaysBounded() throws Exception {
        String minutes = System.getProperty("nebula.soak.minutes");
        Assumptions.assumeTrue(minutes != null, "soak runs only with -Dnebula.soak.minutes=N");
        Duration length = Duration.ofMinutes(Long.parseLong(minutes));
        int rate = Integer.getInteger("nebula.soak.rate", 40);
        boolean faults = Boolean.parseBoolean(System.getProperty("nebula.soak.faults", "true"));
        try (FaultRun run = FaultRun.postgres("soak", FaultBounds.settings().with("queue.quarantine_after", 10))) {
            run.fleet().start(run.names(3));
            if (faults) {
                run.nemesis()
                        .start(
                                List.of(Kind.KILL, Kind.DROP_CONNECTIONS, Kind.DROP_LISTENER),
                                Duration.ofSeconds(20),
                                Duration.ofSeconds(40));
            }
            List<Sample> samples = new ArrayList<>();
            long start = System.nanoTime();
            long nextSample = 0;
            while (System.nanoTime() - start < length.toNanos()) {
                run.workload().submitMixed(rate, 2);
                long elapsed = Duration.ofNanos(System.nanoTime() - start).toSeconds();
                if (elapsed >= nextSample) {
                    samples.add(sample(run, elapsed));
                    nextSample = elapsed + 10;
                }
                Thread.sleep(1_000); // the submit pace, not a synchronisation
            }
            run.nemesis().stop();
            run.workload().awaitDrained(Duration.ofMinutes(5));
            samples.add(sample(run, Duration.ofNanos(System.nanoTime() - start).toSeconds()));
            run.fleet().stopAll();
            CheckReport report = run.check(FaultBounds.MARGIN);
            StringBuilder table = new StringBuilder("soak samples (s, backlog, dead rows, max heap MB, max RSS MB):");
            for (Sample s : samples) {
                table.append(String.format(
                        "%n  %6d %8d %10d %6d %6d",
                        s.seconds(), s.backlog(), s.deadRows(), s.maxHeapBytes() >> 20, s.maxRssBytes() >> 20));
            }
            run.note(table.toString());
            assertThat(report.allValid()).as(report.render()).isTrue();

            List<Sample> steady = samples.subList(samples.size() / 3, samples.size());
            assertThat(steady)
                    .as("backlog stays within a minute of submissions")
                    .allMatch(s -> s.backlog() <= rate * 60L);
            long firstThird = samples.subList(1, Math.max(2, samples.size() / 3)).stream()
                    .mapToLong(Sample::maxHeapBytes)
                    .max()
                    .orElse(0);
            assertThat(samples.get(samples.size() - 2).maxHeapBytes())
                    .as("heap after GC does not keep growing")
                    .isLessThanOrEqualTo(firstThird * 2 + (16L << 20));
            assertThat(steady).as("dead rows are vacuumed").allMatch(s -> s.deadRows() <= 200_000);
        }
    }

    private static Sample sample(FaultRun run, long seconds) throws SQLException {
        long backlog;
        long dead;
        try (Connection c = run.store().connect();
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM executions WHERE state = 'available'")) {
                rs.next();
                backlog = rs.getLong(1);
            }
            try (ResultSet rs = st.executeQuery("SELECT coalesce(n_dead_tup, 0) FROM pg_stat_user_tables"
                    + " WHERE schemaname = current_schema() AND relname = 'executions'")) {
                dead = rs.next() ? rs.getLong(1) : 0;
            }
        }
        long heap = 0;
        long rss = 0;
        for (WorkerProcess w : run.fleet().live()) {
            try {
                Map<String, PrometheusText.Family> m = w.metrics();
                heap = Math.max(heap, (long) value(m, "jvm_memory_pool_collection_used_bytes", "pool", "Tenured Gen"));
                rss = Math.max(rss, (long) value(m, "process_resident_memory_bytes", null, null));
            } catch (RuntimeException e) {
                // restarting after a kill: no sample from it this time
            }
        }
        return new Sample(seconds, backlog, dead, heap, rss);
    }

    private static double value(Map<String, PrometheusText.Family> m, String family, String label, String v) {
        PrometheusText.Family f = m.get(family);
        if (f == null) {
            return 0;
        }
        return f.samples().stream()
                .filter(s -> label == null || v.equals(s.labels().get(label)))
                .mapToDouble(PrometheusText.Sample::value)
                .max()
                .orElse(0);
    }
}
