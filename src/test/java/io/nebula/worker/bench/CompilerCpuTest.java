package io.nebula.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompilerCpuTest {

    @Test
    void subtractsWhatEachCompilerThreadUsedInTheWindow() {
        // 10 ms ticks: thread 1 used 3 ticks, thread 2 started inside the window and used 2.
        double us = CompilerCpu.microsWithout(0, 100_000_000L, Map.of(1L, 7L), Map.of(1L, 10L, 2L, 2L), 1_000);
        assertThat(us).isEqualTo((100_000_000L - 50_000_000L) / 1e3 / 1_000);
    }

    @Test
    void aCompilerThreadThatEndedInTheWindowSubtractsNothing() {
        double us = CompilerCpu.microsWithout(0, 100_000_000L, Map.of(1L, 7L, 2L, 40L), Map.of(1L, 7L), 1_000);
        assertThat(us).isEqualTo(100.0);
    }

    @Test
    void unknownSidesGiveNaN() {
        assertThat(CompilerCpu.microsWithout(-1, 5, Map.of(), Map.of(), 1)).isNaN();
        assertThat(CompilerCpu.microsWithout(0, 5, null, Map.of(), 1)).isNaN();
    }

    @Test
    void readsUserAndSystemTicksOfCompilerThreadsOnly() {
        // Fields after the name: state (3), ppid, pgrp, session, tty, tpgid, flags, minflt,
        // cminflt, majflt, cmajflt, then utime (14) = 37 and stime (15) = 5.
        String rest = " S 4200 4200 4200 0 -1 4194624 1000 0 0 0 37 5 0 0 20 0 1 0 100 0 0";
        assertThat(CompilerCpu.compilerTicks("4242 (C2 CompilerThre)" + rest + "\n"))
                .isEqualTo(42);
        assertThat(CompilerCpu.compilerTicks("4243 (C1 CompilerThre)" + rest)).isEqualTo(42);
        assertThat(CompilerCpu.compilerTicks("4244 (nebula-claim-1)" + rest)).isEqualTo(-1);
        // The name runs from the first '(' to the last ')': this thread's is "a) (C2 CompilerThre".
        assertThat(CompilerCpu.compilerTicks("4245 (a) (C2 CompilerThre)" + rest))
                .isEqualTo(-1);
        assertThat(CompilerCpu.compilerTicks("garbage")).isEqualTo(-1);
    }

    @Test
    void findsThisJvmsCompilerThreads() {
        assumeThat(Files.isDirectory(Path.of("/proc/self/task"))).isTrue();
        var jit = ManagementFactory.getCompilationMXBean();
        assumeThat(jit).isNotNull();
        assumeThat(jit.getName()).contains("HotSpot").contains("Tiered");
        Map<Long, Long> threads = CompilerCpu.snapshot();
        // HotSpot with tiered compilation keeps at least one C1 and one C2 thread alive.
        assertThat(threads).isNotNull().isNotEmpty();
        assertThat(threads.values()).allSatisfy(t -> assertThat(t).isNotNegative());
    }
}
