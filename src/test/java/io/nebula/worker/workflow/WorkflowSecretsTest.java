package io.nebula.worker.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which secrets a definition reads, and the reads it refuses when it is validated. */
class WorkflowSecretsTest {
    private final WorkflowKit kit = new WorkflowKit();

    @Test
    void eachNodeKnowsTheSecretsItsParamsReadByName() throws Exception {
        LoadedWorkflow w = kit.workflows.loadText("""
                name: s
                nodes:
                  - id: call
                    action: http.request
                    params:
                      url: https://api.example/pay
                      headers:
                        Authorization: "Bearer ${{ secrets.PAYMENT_TOKEN }}"
                        X-Cert: "${{ secrets['tls.crt'] }}"
                        X-Both: "${{ secrets.PAYMENT_TOKEN + ':' + secrets.OTHER }}"
                  - id: plain
                    action: noop
                """, "s.yaml");

        assertThat(w.workflow().node("call").secrets()).containsExactlyInAnyOrder("PAYMENT_TOKEN", "tls.crt", "OTHER");
        assertThat(w.workflow().node("plain").secrets()).isEmpty();
    }

    @Test
    void secretsAreReadOnlyByAWrittenNameAndOnlyInANodesParams() {
        List<String> p = kit.problems("""
                name: s
                nodes:
                  - id: whole
                    action: transform
                    params: { value: "${{ secrets }}" }
                  - id: computed
                    action: transform
                    params: { value: "${{ secrets[input.which] }}" }
                  - id: tested
                    action: transform
                    params: { value: "${{ has(secrets.X) }}" }
                  - id: badname
                    action: transform
                    params: { value: "${{ secrets['../etc/passwd'] }}" }
                  - id: conditional
                    action: noop
                    when: "secrets.FLAG == 'on'"
                output:
                  leaked: "${{ secrets.TOKEN }}"
                """, "s.yaml");

        assertThat(p).hasSize(6);
        assertThat(p.get(0)).contains("(node 'whole')").contains("uses secrets as a whole");
        assertThat(p.get(1)).contains("(node 'computed')").contains("reads a secret by a computed name");
        assertThat(p.get(2)).contains("(node 'tested')").contains("tests has(secrets.X)");
        assertThat(p.get(3))
                .contains("(node 'badname')")
                .contains("reads secret '../etc/passwd', which is not a valid secret name");
        assertThat(p.get(4))
                .contains("/nodes/4/when (node 'conditional')")
                .contains("reads secrets in a node's when; only a node's params may read them");
        assertThat(p.get(5)).contains("/output/leaked").contains("reads secrets in the output mapping");
    }

    @Test
    void aVariableNamedSecretsInAMacroIsNotASecretRead() throws Exception {
        LoadedWorkflow w = kit.workflows.loadText("""
                {"name": "s", "nodes": [{"id": "a", "action": "transform",
                  "params": {"value": "${{ [1, 2].map(secrets, secrets * 2) }}"}}]}
                """, "s.json");

        assertThat(w.workflow().node("a").secrets()).isEmpty();
    }

    @Test
    void aMapNodesParamsMayReadSecretsButItsItemsAndAWorkflowNodesInputMayNot() throws Exception {
        LoadedWorkflow w = kit.workflows.loadText("""
                name: s
                nodes:
                  - id: each
                    action: transform
                    map: { items: "${{ input.xs }}" }
                    params: { value: "${{ secrets.TOKEN + ':' + string(index) }}" }
                """, "s.yaml");
        assertThat(w.workflow().node("each").secrets()).containsExactly("TOKEN");

        List<String> p = kit.problems("""
                name: s
                nodes:
                  - id: each
                    action: transform
                    map: { items: "${{ [secrets.TOKEN] }}" }
                    params: { value: "${{ item }}" }
                  - id: child
                    workflow: "%s"
                    input: { token: "${{ secrets.TOKEN }}" }
                """.formatted("a".repeat(64)), "s.yaml");

        assertThat(p).hasSize(2);
        assertThat(p.get(0))
                .contains("/nodes/0/map/items (node 'each')")
                .contains("reads secrets in a map's items; only a node's params may read them");
        assertThat(p.get(1))
                .contains("/nodes/1/input/token (node 'child')")
                .contains("reads secrets in a workflow node's input; only a node's params may read them");
    }
}
