package io.nebula.worker.bench;

import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * CPU time from Linux's {@code /proc/<pid>/stat} and {@code /proc/<pid>/task/<tid>/stat} lines:
 * user plus system time in clock ticks, assumed 100 per second as on every common Linux build.
 * {@link LocalPostgresCpu} reads the database's processes with it, {@link CompilerCpu} the JIT's
 * threads.
 */
final class ProcTicks {
    static final double MICROS_PER_TICK = 10_000;

    private ProcTicks() {}

    /**
     * User plus system ticks of one stat line whose command (the name in parentheses) {@code
     * command} accepts, else -1. The command runs from the first '(' to the last ')', as a name may
     * itself hold parentheses and spaces.
     *
     * @throws RuntimeException when a matching line lacks the time fields
     */
    static long of(String stat, Predicate<String> command) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open || !command.test(stat.substring(open + 1, close))) {
            return -1;
        }
        // After the command: state is field 3, utime field 14 and stime field 15 of the whole line.
        String[] f = stat.substring(close + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /**
     * Microseconds of CPU used between two snapshots (ticks by pid or tid) by those of {@code ids}
     * alive at the second: one started in between counts in full, one that ended in between is
     * missed.
     */
    static double microsBetween(Map<Long, Long> before, Map<Long, Long> after, Set<Long> ids) {
        long ticks = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            if (ids.contains(e.getKey())) {
                ticks += Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L));
            }
        }
        return ticks * MICROS_PER_TICK;
    }
}
