package io.nebula.worker.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.Workflows;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parameters the console shows for a node: secrets are named, never resolved. */
class NodeParametersTest {
    @Test
    void aSecretTheParamsReadIsShownAsStars() throws Exception {
        Workflows workflows = new Workflows(
                ActionRegistry.builder()
                        .registerAll(BuiltinActions.create(HttpActionOptions.defaults(), Duration.ofSeconds(1)))
                        .build(),
                Limits.defaults());
        LoadedWorkflow w = workflows.loadText("""
                name: s
                nodes:
                  - id: call
                    action: http.request
                    params:
                      url: "${{ input.url }}"
                      headers: { Authorization: "Bearer ${{ secrets.PAYMENT_TOKEN }}" }
                """, "s.yaml");

        NodeParameters.Shown shown = NodeParameters.of(
                workflows, w.hash(), w.canonicalJson(), "call", 7, 1, "{\"url\":\"https://pay.example/r\"}", Map.of());

        assertThat(shown.json()).contains("\"Bearer ***\"").contains("https://pay.example/r");
        assertThat(shown.note()).contains("secrets (PAYMENT_TOKEN) shown as ***");
    }
}
