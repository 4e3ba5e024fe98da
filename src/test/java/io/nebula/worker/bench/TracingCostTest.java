package io.nebula.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracingCostTest {

    private static ScenarioResult drain(String workflow, int c, boolean tracing, Double... rates) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("concurrency", c);
        params.put("batch_size", c);
        params.put("workflow", workflow);
        params.put("tracing", tracing);
        return new ScenarioResult(
                "tracing",
                "c=" + c + " " + workflow + (tracing ? " tracing on" : " tracing off"),
                "postgres",
                params,
                Map.of("executions_per_second", Spread.of(List.of(rates))),
                Map.of(),
                List.of());
    }

    private static Goals.Verdict verdict(List<ScenarioResult> results, String startsWith) {
        return Goals.check(results).stream()
                .filter(v -> v.goal().startsWith("tracing on") && v.goal().contains(startsWith))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void eachTracedRunIsDividedByTheUntracedRunOfTheSameRepeat() {
        List<ScenarioResult> out = TracingCost.withOnOverOff(List.of(
                drain("bench-dag", 256, false, 10_000.0, 12_000.0, 8_000.0),
                drain("bench-dag", 256, true, 9_000.0, 9_000.0, 7_600.0)));

        Spread ratio = out.get(1).figures().get(TracingCost.ON_OVER_OFF);
        assertThat(ratio.runs()).containsExactly(0.9, 0.75, 0.95);
        assertThat(ratio.median()).isEqualTo(0.9);
        assertThat(out.get(0).figures()).doesNotContainKey(TracingCost.ON_OVER_OFF);
        assertThat(out.get(1).figures()).containsKey("executions_per_second");
    }

    @Test
    void aTracedRunIsPairedOnlyWithItsOwnVariantAndWorkflow() {
        List<ScenarioResult> out = TracingCost.withOnOverOff(List.of(
                drain("bench-dag", 16, false, 2_000.0),
                drain("bench-dag", 16, true, 1_960.0),
                drain("bench-dag", 256, false, 10_000.0),
                drain("bench-dag", 256, true, 8_500.0),
                drain("bench-http", 256, false, 7_000.0),
                drain("bench-http", 256, true, 6_650.0)));

        assertThat(out.get(1).median(TracingCost.ON_OVER_OFF)).isEqualTo(0.98);
        assertThat(out.get(3).median(TracingCost.ON_OVER_OFF)).isEqualTo(0.85);
        assertThat(out.get(5).median(TracingCost.ON_OVER_OFF)).isEqualTo(0.95);
    }

    @Test
    void withTwoDatabasesOfOneKindEachTracedRunMeetsItsOwnDatabasesUntracedRun() {
        List<ScenarioResult> out = TracingCost.withOnOverOff(List.of(
                drain("bench-dag", 256, false, 10_000.0),
                drain("bench-dag", 256, true, 9_000.0),
                drain("bench-dag", 256, false, 5_000.0),
                drain("bench-dag", 256, true, 4_900.0)));

        assertThat(out.get(1).median(TracingCost.ON_OVER_OFF)).isEqualTo(0.9);
        assertThat(out.get(3).median(TracingCost.ON_OVER_OFF)).isEqualTo(0.98);
    }

    @Test
    void runsThatCannotBePairedGetNoRatio() {
        List<ScenarioResult> out = TracingCost.withOnOverOff(List.of(
                drain("bench-dag", 256, false, 10_000.0, 11_000.0),
                drain("bench-dag", 256, true, 9_000.0),
                drain("bench-http", 64, true, 5_000.0)));

        assertThat(out).allSatisfy(r -> assertThat(r.figures()).doesNotContainKey(TracingCost.ON_OVER_OFF));
    }

    @Test
    void whenEachSideLeftARunOutTheRunsNoLongerPairAndGetNoRatio() {
        ScenarioResult off = drain("bench-dag", 256, false, 10_000.0, 11_000.0);
        ScenarioResult on = drain("bench-dag", 256, true, 9_000.0, 9_500.0);
        ScenarioResult onMissingOne = new ScenarioResult(
                on.scenario(),
                on.variant(),
                on.store(),
                on.parameters(),
                on.figures(),
                on.details(),
                List.of("a run did not finish within 120 s (10 of 20000 executions); " + DrainScenario.LEFT_OUT));

        assertThat(TracingCost.withOnOverOff(List.of(off, onMissingOne)).get(1).figures())
                .doesNotContainKey(TracingCost.ON_OVER_OFF);
        assertThat(TracingCost.withOnOverOff(List.of(off, on)).get(1).figures()).containsKey(TracingCost.ON_OVER_OFF);
    }

    @Test
    void theGoalIsJudgedAtTheVariantWhereTracingCostMost() {
        List<ScenarioResult> results = TracingCost.withOnOverOff(List.of(
                drain("bench-dag", 16, false, 2_000.0, 2_000.0),
                drain("bench-dag", 16, true, 1_980.0, 1_960.0),
                drain("bench-dag", 256, false, 10_000.0, 10_000.0),
                drain("bench-dag", 256, true, 8_600.0, 8_800.0),
                drain("bench-http", 256, false, 7_000.0, 7_000.0),
                drain("bench-http", 256, true, 6_300.0, 6_650.0)));

        Goals.Verdict dag = verdict(results, "5-node DAG");
        assertThat(dag.verdict()).isEqualTo("not met");
        assertThat(dag.measured()).isEqualTo("0.870 [0.860 - 0.880] at postgres c=256 b=256");
        assertThat(dag.target()).isEqualTo(">= 0.90");

        Goals.Verdict http = verdict(results, "bench-http");
        assertThat(http.verdict()).isEqualTo("met");
        assertThat(http.measured()).startsWith("0.925 ");
    }

    @Test
    void aRatioJustUnderTheBoundIsShownWithThreeDecimalsAndNotMet() {
        List<ScenarioResult> results = TracingCost.withOnOverOff(
                List.of(drain("bench-dag", 256, false, 10_000.0), drain("bench-dag", 256, true, 8_990.0)));

        Goals.Verdict dag = verdict(results, "5-node DAG");
        assertThat(dag.measured()).isEqualTo("0.899 at postgres c=256 b=256");
        assertThat(dag.verdict()).isEqualTo("not met");
    }

    @Test
    void withoutTheTracingScenarioBothGoalsAreNotMeasured() {
        List<ScenarioResult> results = List.of(drain("bench-dag", 256, false, 10_000.0));

        assertThat(verdict(results, "5-node DAG").verdict()).isEqualTo("not measured");
        assertThat(verdict(results, "bench-http").verdict()).isEqualTo("not measured");
    }
}
