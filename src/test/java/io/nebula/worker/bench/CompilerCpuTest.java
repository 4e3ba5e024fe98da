package io.nebula.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompilerCpuTest {

    @Test
    void subtractsWhatEachCompilerThreadUsedInTheWindow() {
        // 10 ms ticks: thread 1 used 3 ticks, thread 2 started inside the window and used 2.
        double us = CompilerCpu.microsWithout(0, 100_000_000L, Map.of("1", 7L), Map.of("1", 10L, "2", 2L), 1_000);
        assertThat(us).isEqualTo((100_000_000L - 50_000_000L) / 1e3 / 1_000);
    }

    @Test
    void aCompilerThreadThatEndedInTheWindowSubtractsNothing() {
        double us = CompilerCpu.microsWithout(0, 100_000_000L, Map.of("1", 7L, "2", 40L), Map.of("1", 7L), 1_000);
        assertThat(us).isEqualTo(100.0);
    }

    @Test
    void unknownSidesGiveNaN() {
        assertThat(CompilerCpu.microsWithout(-1, 5, Map.of(), Map.of(), 1)).isNaN();
        assertThat(CompilerCpu.microsWithout(0, 5, null, Map.of(), 1)).isNaN();
    }

    @Test
    void findsThisJvmsCompilerThreads() {
        assumeThat(Files.isDirectory(Path.of("/proc/self/task"))).isTrue();
        Map<String, Long> threads = CompilerCpu.snapshot();
        // HotSpot keeps at least one C1 and one C2 thread alive; each has a thread id and CPU ticks.
        assertThat(threads).isNotNull().isNotEmpty();
        assertThat(threads.values()).allSatisfy(t -> assertThat(t).isNotNegative());
    }
}
