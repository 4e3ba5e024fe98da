package io.nebula.worker.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WorkflowCanonicalTest {
    private final WorkflowKit kit = new WorkflowKit();

    @Test
    void jsonAndYamlFormsOfOneWorkflowHaveTheSameCanonicalTextAndHash() throws Exception {
        LoadedWorkflow json = kit.workflows.loadText("""
                {
                  "nodes": [
                    {"params": {"value": {"x": "${{ input.x }}", "n": 1.5}}, "id": "a", "action": "transform"},
                    {"action": "noop", "depends_on": ["a"], "id": "b", "when": "input.flag"}
                  ],
                  "name": "same"
                }""", "same.json");
        LoadedWorkflow yaml = kit.workflows.loadText("""
                name: same
                nodes:
                  - id: a
                    action: transform
                    params:
                      value:
                        n: 1.5
                        x: "${{ input.x }}"
                  - id: b
                    action: noop
                    when: input.flag
                    depends_on: [a]
                """, "same.yaml");

        assertThat(yaml.canonicalJson()).isEqualTo(json.canonicalJson());
        assertThat(yaml.hash()).isEqualTo(json.hash()).matches("[0-9a-f]{64}");
        assertThat(json.canonicalJson())
                .isEqualTo(
                        "{\"name\":\"same\",\"nodes\":[{\"action\":\"transform\",\"id\":\"a\",\"params\":{\"value\":{\"n\":1.5,"
                                + "\"x\":\"${{ input.x }}\"}}},{\"action\":\"noop\",\"depends_on\":[\"a\"],\"id\":\"b\","
                                + "\"when\":\"input.flag\"}]}");
    }

    @Test
    void theLoadedWorkflowCarriesWhatSubmitNeeds() throws Exception {
        LoadedWorkflow w = kit.workflows.loadText("""
                {"name": "s", "max_retries": 4, "nodes": [{"id": "a", "action": "noop"}]}""", "s.json");

        assertThat(w.name()).isEqualTo("s");
        assertThat(w.maxRetries()).isEqualTo(4);
        assertThat(w.document().hash()).isEqualTo(w.hash());
        assertThat(w.document().definitionJson()).isEqualTo(w.canonicalJson());
        assertThat(kit.workflows.compile(w.canonicalJson()).hash()).isEqualTo(w.hash());
    }
}
