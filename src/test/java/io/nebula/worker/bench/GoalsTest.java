package io.nebula.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GoalsTest {

    private static ScenarioResult drain(double workerCpuRatio, Double withoutJitRatio) {
        Map<String, Spread> figures = new LinkedHashMap<>();
        figures.put("executions_per_second", Spread.of(List.of(40_000.0)));
        figures.put("baseline_ratio", Spread.of(List.of(0.77)));
        figures.put("worker_cpu_ratio", Spread.of(List.of(workerCpuRatio)));
        if (withoutJitRatio != null) {
            figures.put("worker_cpu_without_jit_ratio", Spread.of(List.of(withoutJitRatio)));
        }
        return new ScenarioResult(
                "drain", "c=2048 b=512", "postgres", Map.of("concurrency", 2048), figures, Map.of(), List.of());
    }

    private static Goals.Verdict workerCpu(ScenarioResult drain) {
        return Goals.check(List.of(drain)).stream()
                .filter(v -> v.goal().startsWith("worker CPU"))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aYardstickInflatedByItsJitDoesNotPassTheWorkersCpu() {
        Goals.Verdict v = workerCpu(drain(2.0, 6.67));

        assertThat(v.verdict()).isEqualTo("not met");
        assertThat(v.measured()).isEqualTo("2.00 (6.67 without the JIT)");
    }

    @Test
    void theWorkersCpuIsMetWhenBothRatiosAreWithinTwice() {
        assertThat(workerCpu(drain(1.9, 1.8)).verdict()).isEqualTo("met");
        assertThat(workerCpu(drain(2.4, 1.8)).verdict()).isEqualTo("not met");
    }

    @Test
    void withoutTheCompilerFigureTheWholeProcessRatioDecides() {
        Goals.Verdict v = workerCpu(drain(1.9, null));

        assertThat(v.verdict()).isEqualTo("met");
        assertThat(v.measured()).isEqualTo("1.90");
    }
}
