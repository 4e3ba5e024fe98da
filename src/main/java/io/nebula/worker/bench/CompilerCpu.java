package io.nebula.worker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time this process's JIT compiler threads have used, from {@code /proc/self/task/<tid>/stat}
 * (HotSpot's threads named {@code C1 CompilerThre...} or {@code C2 CompilerThre...}; see {@link
 * ProcTicks}). The bench subtracts it from the process's CPU to give a worker figure without the
 * compiler: the compiler's share of a timed run moves with what ran before it in the same JVM (from
 * 22 ms to 2.4 s of compilation per drain in one machine's runs), and with it the whole-process
 * figure, while what is left is the worker's own steady cost. Callers take the compiler snapshots
 * inside the window of the process's CPU readings. Each thread's time is read in whole ticks, so
 * the subtraction is off by up to one tick per compiler thread either way; a compiler thread that
 * ends within the window (the JVM retires idle ones) leaves its share in the figure.
 */
final class CompilerCpu {
    private CompilerCpu() {}

    /** CPU ticks of each live compiler thread by thread id, or {@code null} where {@code /proc} is missing. */
    static Map<Long, Long> snapshot() {
        Map<Long, Long> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(t -> {
                long ticks = ticks(t);
                if (ticks >= 0) {
                    out.put(Long.parseLong(t.getFileName().toString()), ticks);
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

    /** User plus system ticks of one stat line when its thread is a compiler thread, else -1. */
    static long compilerTicks(String stat) {
        return ProcTicks.of(stat, name -> name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre"));
    }

    /**
     * Whole-process CPU per item without the compiler threads' between two snapshots: {@code cpu1 -
     * cpu0} nanoseconds less what each compiler thread alive at {@code jit1} used since {@code
     * jit0} (all of it for a thread that started in between), over {@code items}, in
     * microseconds; NaN when either side is unknown.
     */
    static double microsWithout(long cpu0, long cpu1, Map<Long, Long> jit0, Map<Long, Long> jit1, long items) {
        if (cpu0 < 0 || cpu1 < 0 || jit0 == null || jit1 == null) {
            return Double.NaN;
        }
        return ((cpu1 - cpu0) / 1e3 - ProcTicks.microsBetween(jit0, jit1, jit1.keySet())) / items;
    }
}
