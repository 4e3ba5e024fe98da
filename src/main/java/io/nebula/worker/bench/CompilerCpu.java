package io.nebula.worker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time this process's JIT compiler threads have used, from {@code /proc/self/task/<tid>/stat}
 * (HotSpot's threads named {@code C1 CompilerThre...} or {@code C2 CompilerThre...}; clock ticks
 * assumed 100 per second, as {@link LocalPostgresCpu} does). The bench subtracts it from the
 * process's CPU to give a worker figure without the compiler: the compiler's share of a timed run
 * moves with what ran before it in the same JVM (from 22 ms to 2.4 s of compilation per drain in
 * one machine's runs), and with it the whole-process figure, while what is left is the worker's
 * own steady cost. Callers take the compiler snapshots inside the window of the process's CPU
 * readings. Each thread's time is read in whole ticks, so the subtraction is off by up to one tick
 * per compiler thread either way; a compiler thread that ends within the window (the JVM retires
 * idle ones) leaves its share in the figure.
 */
final class CompilerCpu {
    private static final long NANOS_PER_TICK = 10_000_000L;

    private CompilerCpu() {}

    /** CPU ticks of each live compiler thread by thread id, or {@code null} where {@code /proc} is missing. */
    static Map<String, Long> snapshot() {
        Map<String, Long> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(t -> {
                long ticks = ticks(t);
                if (ticks >= 0) {
                    out.put(t.getFileName().toString(), ticks);
                }
            });
            return out;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long ticks(Path task) {
        try {
            return compilerTicks(Files.readString(task.resolve("stat")));
        } catch (IOException e) {
            return -1; // the thread ended between the listing and the read
        }
    }

    /**
     * User plus system ticks from one {@code /proc/<pid>/task/<tid>/stat} line when its thread is
     * a compiler thread, else -1.
     */
    static long compilerTicks(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            return -1;
        }
        String name = stat.substring(open + 1, close);
        if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
            return -1;
        }
        // After the name: state is field 3, utime field 14 and stime field 15 of the whole line.
        String[] f = stat.substring(close + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /**
     * Whole-process CPU per item without the compiler threads' between two snapshots: {@code cpu1 -
     * cpu0} nanoseconds less what each compiler thread alive at {@code jit1} used since {@code
     * jit0} (all of it for a thread that started in between), over {@code items}, in
     * microseconds; NaN when either side is unknown.
     */
    static double microsWithout(long cpu0, long cpu1, Map<String, Long> jit0, Map<String, Long> jit1, long items) {
        if (cpu0 < 0 || cpu1 < 0 || jit0 == null || jit1 == null) {
            return Double.NaN;
        }
        long ticks = 0;
        for (Map.Entry<String, Long> e : jit1.entrySet()) {
            ticks += Math.max(0, e.getValue() - jit0.getOrDefault(e.getKey(), 0L));
        }
        return ((cpu1 - cpu0) - ticks * NANOS_PER_TICK) / 1e3 / items;
    }
}
