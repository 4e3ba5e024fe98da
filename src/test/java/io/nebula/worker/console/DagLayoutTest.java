package io.nebula.worker.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DagLayoutTest {
    private static Map<String, DagLayout.Placed> place(DagLayout.Input... nodes) {
        return DagLayout.of(List.of(nodes)).nodes().stream()
                .collect(Collectors.toMap(DagLayout.Placed::id, Function.identity()));
    }

    private static DagLayout.Input node(String id, String... deps) {
        return new DagLayout.Input(id, List.of(deps));
    }

    @Test
    void aNodesColumnIsItsLongestPathFromARoot() {
        Map<String, DagLayout.Placed> p = place(
                node("validate"),
                node("reserve", "validate"),
                node("charge", "validate"),
                node("ship", "reserve", "charge"),
                node("notify", "ship", "validate"));

        assertThat(p.get("validate").column()).isZero();
        assertThat(p.get("reserve").column()).isEqualTo(1);
        assertThat(p.get("charge").column()).isEqualTo(1);
        assertThat(p.get("ship").column()).isEqualTo(2);
        assertThat(p.get("notify").column()).isEqualTo(3);
    }

    @Test
    void everyEdgePointsRightAndNoTwoNodesOverlap() {
        DagLayout.Layout l = DagLayout.of(List.of(
                node("a"), node("b"), node("c", "a"), node("d", "a", "b"), node("e", "c", "d"), node("f", "b")));
        Map<String, DagLayout.Placed> p =
                l.nodes().stream().collect(Collectors.toMap(DagLayout.Placed::id, Function.identity()));

        for (DagLayout.Edge e : l.edges()) {
            assertThat(p.get(e.to()).x()).isGreaterThan(p.get(e.from()).x() + DagLayout.NODE_WIDTH);
            assertThat(e.path()).startsWith("M");
        }
        assertThat(l.edges()).hasSize(6);
        for (DagLayout.Placed a : l.nodes()) {
            for (DagLayout.Placed b : l.nodes()) {
                if (a != b && a.column() == b.column()) {
                    assertThat(Math.abs(a.y() - b.y())).isGreaterThanOrEqualTo(DagLayout.NODE_HEIGHT);
                }
            }
            assertThat(a.x() + DagLayout.NODE_WIDTH).isLessThanOrEqualTo(l.width());
            assertThat(a.y() + DagLayout.NODE_HEIGHT).isLessThanOrEqualTo(l.height());
        }
    }

    @Test
    void unknownDependenciesAndCyclesDoNotBreakTheDrawing() {
        Map<String, DagLayout.Placed> p = place(node("a", "ghost"), node("b", "c"), node("c", "b"));
        assertThat(p).containsOnlyKeys("a", "b", "c");
        assertThat(DagLayout.of(List.of()).nodes()).isEmpty();
    }
}
