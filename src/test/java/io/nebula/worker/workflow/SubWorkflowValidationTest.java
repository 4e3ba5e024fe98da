package io.nebula.worker.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sub-workflow nodes at load time: files resolved and pinned by hash, cycles and bad children refused. */
class SubWorkflowValidationTest {
    private final WorkflowKit kit = new WorkflowKit();

    @TempDir
    Path dir;

    private static final String CHILD = """
            name: child
            nodes:
              - id: only
                action: transform
                params: { value: 1 }
            """;

    @Test
    void aWorkflowFileIsLoadedWithItsParentAndPinnedByItsHash() throws Exception {
        Files.writeString(dir.resolve("child.yaml"), CHILD);
        Files.writeString(dir.resolve("parent.yaml"), """
                name: parent
                nodes:
                  - id: run
                    workflow: child.yaml
                    input: { x: "${{ input.x }}" }
                """);

        LoadedWorkflow parent = kit.workflows.load(dir.resolve("parent.yaml"));
        LoadedWorkflow child = kit.workflows.load(dir.resolve("child.yaml"));

        assertThat(parent.workflow().node("run").childWorkflow()).isEqualTo(child.hash());
        assertThat(parent.canonicalJson()).contains(child.hash()).doesNotContain("child.yaml");
        assertThat(parent.documents()).extracting(d -> d.hash()).containsExactly(child.hash(), parent.hash());
        // The stored canonical text compiles without the files (a worker never sees them).
        assertThat(kit.workflows.compile(parent.canonicalJson()).node("run").childWorkflow())
                .isEqualTo(child.hash());

        Files.writeString(dir.resolve("child.yaml"), CHILD.replace("value: 1", "value: 2"));
        assertThat(kit.workflows.load(dir.resolve("parent.yaml")).hash()).isNotEqualTo(parent.hash());
    }

    /** {@code name} with {@code n} nodes, each starting {@code child}. */
    private static String fanOut(String name, int n, String child) {
        StringBuilder b = new StringBuilder("name: " + name + "\nnodes:\n");
        for (int i = 0; i < n; i++) {
            b.append("  - id: c")
                    .append(i)
                    .append("\n    workflow: ")
                    .append(child)
                    .append('\n');
        }
        return b.toString();
    }

    @Test
    void subWorkflowsThatWouldMultiplyIntoTooManyExecutionsAreRefused() throws Exception {
        Files.writeString(dir.resolve("leaf.yaml"), CHILD);
        Files.writeString(dir.resolve("mid.yaml"), fanOut("mid", 99, "leaf.yaml"));
        // 100 x (1 + 99) = 10,000: at the limit.
        Files.writeString(dir.resolve("top.yaml"), fanOut("top", 100, "mid.yaml"));
        assertThat(kit.workflows.load(dir.resolve("top.yaml")).childExecutionsAtMost())
                .isEqualTo(Workflows.MAX_CHILD_EXECUTIONS);

        Files.writeString(dir.resolve("top.yaml"), fanOut("top", 101, "mid.yaml"));
        assertThatThrownBy(() -> kit.workflows.load(dir.resolve("top.yaml")))
                .isInstanceOf(WorkflowInvalidException.class)
                .hasMessageContaining("/nodes: its sub-workflow nodes would start up to 10100 executions (their own"
                        + " sub-workflows counted), more than the limit of 10000");
    }

    @Test
    void aMapOverAWorkflowNodeCountsOnceForEachItemItMayHave() throws Exception {
        Files.writeString(dir.resolve("leaf.yaml"), CHILD);
        Files.writeString(dir.resolve("mid.yaml"), fanOut("mid", 4, "leaf.yaml"));
        Files.writeString(dir.resolve("top.yaml"), """
                name: top
                nodes:
                  - id: each
                    workflow: mid.yaml
                    map: { items: "${{ input.orders }}", max_items: 2000 }
                    input: { order: "${{ item }}", position: "${{ index }}" }
                  - id: three
                    workflow: leaf.yaml
                    map: { items: [1, 2, 3] }
                  - id: once
                    workflow: leaf.yaml
                """);
        // 2,000 x (1 + 4) + 3 x 1 + 1 = 10,004: over the limit.
        assertThatThrownBy(() -> kit.workflows.load(dir.resolve("top.yaml")))
                .isInstanceOf(WorkflowInvalidException.class)
                .hasMessageContaining("/nodes: its sub-workflow nodes would start up to 10004 executions");

        Files.writeString(
                dir.resolve("top.yaml"),
                Files.readString(dir.resolve("top.yaml")).replace("max_items: 2000", "max_items: 1999"));
        LoadedWorkflow top = kit.workflows.load(dir.resolve("top.yaml"));
        assertThat(top.childExecutionsAtMost()).isEqualTo(1_999 * 5 + 3 + 1);
        assertThat(top.workflow().node("each").map().maxItems()).isEqualTo(1_999);
        assertThat(top.workflow().node("each").childWorkflow()).isNotNull();

        // A parent that maps over a workflow with such a map multiplies them.
        Files.writeString(dir.resolve("outer.yaml"), """
                name: outer
                nodes:
                  - id: all
                    workflow: top.yaml
                    map: { items: [1, 2] }
                """);
        assertThatThrownBy(() -> kit.workflows.load(dir.resolve("outer.yaml")))
                .isInstanceOf(WorkflowInvalidException.class)
                .hasMessageContaining("would start up to " + 2 * (1 + (1_999 * 5 + 3 + 1)) + " executions");
    }

    @Test
    void aChildNamedByHashCountsOncePerItemItMayHave() throws Exception {
        Files.writeString(dir.resolve("leaf.yaml"), CHILD);
        String leaf = kit.workflows.load(dir.resolve("leaf.yaml")).hash();
        Files.writeString(dir.resolve("top.yaml"), """
                name: top
                nodes:
                  - id: once
                    workflow: leaf.yaml
                  - id: by_hash
                    workflow: "%1$s"
                  - id: each_by_hash
                    workflow: "%1$s"
                    map: { items: "${{ input.xs }}", max_items: 20 }
                """.formatted(leaf));

        assertThat(kit.workflows.load(dir.resolve("top.yaml")).childExecutionsAtMost())
                .isEqualTo(1 + 1 + 20);

        Files.writeString(
                dir.resolve("top.yaml"),
                Files.readString(dir.resolve("top.yaml")).replace("max_items: 20", "max_items: 9999"));
        assertThatThrownBy(() -> kit.workflows.load(dir.resolve("top.yaml")))
                .isInstanceOf(WorkflowInvalidException.class)
                .hasMessageContaining("would start up to 10001 executions");
    }

    @Test
    void aMapOverAWorkflowNodeNeedsMaxItemsWhenItsItemsAreAnExpression() {
        List<String> p = kit.problems("""
                {"name": "p", "nodes": [
                  {"id": "b", "workflow": "%1$s", "map": {"items": "${{ input.xs }}"}, "input": {"x": "${{ item }}"}},
                  {"id": "c", "workflow": "%1$s", "map": {"items": [1, 2, 3], "max_items": 2}},
                  {"id": "d", "workflow": "%1$s", "map": {"items": "${{ input.xs }}", "max_items": 0}},
                  {"id": "e", "workflow": "%1$s", "map": {"items": "${{ input.xs }}", "max_items": 5}},
                  {"id": "f", "action": "noop", "map": {"items": "${{ input.xs }}", "max_items": 5}},
                  {"id": "g", "workflow": "%1$s", "input": {"x": "${{ item }}"}}]}""".formatted("0".repeat(64)), "p.json");

        assertThat(p)
                .anySatisfy(m -> assertThat(m)
                        .contains("/nodes/0/map (node 'b'): a map over a workflow node needs max_items (the most child"
                                + " executions it may start) when its items are an expression"));
        assertThat(p)
                .anySatisfy(m -> assertThat(m)
                        .contains("/nodes/1/map/items (node 'c'): items holds 3 elements, more than max_items 2"));
        assertThat(p)
                .anySatisfy(m -> assertThat(m)
                        .contains("/nodes/2/map/max_items (node 'd'): 'max_items' must be a whole number from 1 to"));
        assertThat(p).filteredOn(m -> m.contains("node 'd'")).hasSize(1);
        assertThat(p).noneSatisfy(m -> assertThat(m).contains("node 'e'"));
        assertThat(p).noneSatisfy(m -> assertThat(m).contains("node 'f'"));
        // item is known only in a map.
        assertThat(p).anySatisfy(m -> assertThat(m).contains("(node 'g')").contains("item"));
    }

    @Test
    void workflowsCallingEachOtherInACycleAreRefused() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "name: a\nnodes:\n  - id: call_b\n    workflow: b.yaml\n");
        Files.writeString(dir.resolve("b.yaml"), "name: b\nnodes:\n  - id: call_a\n    workflow: a.yaml\n");

        assertThatThrownBy(() -> kit.workflows.load(dir.resolve("a.yaml")))
                .isInstanceOf(WorkflowInvalidException.class)
                .hasMessageContaining("/nodes/0/workflow (node 'call_b'): workflow 'b.yaml' does not validate: ")
                .hasMessageContaining("workflows call each other in a cycle: a.yaml -> b.yaml -> a.yaml");
    }

    @Test
    void aChildThatDoesNotValidateOrIsMissingIsReportedAtTheReference() throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), "name: bad\nnodes:\n  - id: x\n    action: teleport\n");
        Files.writeString(dir.resolve("parent.yaml"), """
                name: parent
                nodes:
                  - id: one
                    workflow: bad.yaml
                  - id: two
                    workflow: nowhere.yaml
                """);

        assertThatThrownBy(() -> kit.workflows.load(dir.resolve("parent.yaml")))
                .isInstanceOf(WorkflowInvalidException.class)
                .hasMessageContaining(":4:15 /nodes/0/workflow (node 'one'): workflow 'bad.yaml' does not validate: ")
                .hasMessageContaining("unknown action 'teleport'")
                .hasMessageContaining(":6:15 /nodes/1/workflow (node 'two'): workflow file 'nowhere.yaml' not found");
    }

    @Test
    void aMissingChildDoesNotHideTheParentsOtherProblems() throws Exception {
        Files.writeString(dir.resolve("parent.yaml"), """
                name: parent
                nodes:
                  - id: one
                    workflow: nowhere.yaml
                    params: { a: 1 }
                  - id: two
                    action: noop
                    depends_on: [zz]
                """);

        assertThatThrownBy(() -> kit.workflows.load(dir.resolve("parent.yaml")))
                .isInstanceOf(WorkflowInvalidException.class)
                .hasMessageContaining("/nodes/0/workflow (node 'one'): workflow file 'nowhere.yaml' not found")
                .hasMessageContaining("(node 'one')")
                .hasMessageContaining("params")
                .hasMessageContaining("unknown node 'zz'")
                .satisfies(e -> assertThat(((WorkflowInvalidException) e)
                                .problems().stream().filter(p -> p.pointer().equals("/nodes/0/workflow")))
                        .hasSize(1));
    }

    @Test
    void aFileNameInDefinitionTextIsRefused() {
        assertThat(kit.problems("""
                        {"name": "p", "nodes": [
                          {"id": "a", "workflow": "child.yaml"}]}""", "p.json"))
                .containsExactly(
                        "p.json:2:27 /nodes/0/workflow (node 'a'): workflow 'child.yaml' is not the content hash of a"
                                + " stored workflow; a file name is resolved only when this definition is loaded"
                                + " from a file");
    }

    @Test
    void aWorkflowNodeTakesInputAndNoActionOrParams() {
        List<String> p = kit.problems("""
                {"name": "p", "nodes": [
                  {"id": "b", "workflow": "%s", "action": "noop", "params": {}, "map": {"items": [1]}},
                  {"id": "c", "action": "noop", "input": {}}]}""".formatted("0".repeat(64)), "p.json");

        assertThat(p)
                .anySatisfy(m ->
                        assertThat(m).contains("(node 'b'): a node runs either an 'action' or a 'workflow', not both"));
        assertThat(p)
                .anySatisfy(m ->
                        assertThat(m).contains("(node 'b'): a workflow node takes its child's 'input', not 'params'"));
        assertThat(p).noneSatisfy(m -> assertThat(m).contains("map"));
        assertThat(p)
                .anySatisfy(m -> assertThat(m)
                        .contains("(node 'c'): 'input' belongs to a workflow node; an action takes 'params'"));
    }

    @Test
    void aWorkflowNodesQueueIsALiteralQueueNameAndOnlyAWorkflowNodeHasOne() {
        List<String> p = kit.problems("""
                {"name": "p", "nodes": [
                  {"id": "b", "workflow": "%1$s", "queue": "ship ping"},
                  {"id": "c", "workflow": "%1$s", "queue": "${{ input.q }}"},
                  {"id": "d", "action": "noop", "queue": "shipping"},
                  {"id": "e", "workflow": "%1$s", "queue": "shipping.eu-1"}]}""".formatted("0".repeat(64)), "p.json");

        assertThat(p)
                .anySatisfy(m -> assertThat(m)
                        .startsWith("p.json:2:")
                        .contains("/nodes/0/queue (node 'b'): queue name 'ship ping' is not valid (letters, digits"));
        assertThat(p)
                .anySatisfy(m ->
                        assertThat(m).contains("/nodes/1/queue (node 'c'): queue name '${{ input.q }}' is not valid"));
        assertThat(p)
                .anySatisfy(m -> assertThat(m)
                        .contains("/nodes/2/queue (node 'd'): 'queue' belongs to a workflow node (the queue its child"
                                + " execution is submitted to)"));
        assertThat(p).noneSatisfy(m -> assertThat(m).contains("node 'e'"));
    }
}
