package io.nebula.worker.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What validation says about a node's {@code map} before anything runs. */
class MapValidationTest {
    private final WorkflowKit kit = new WorkflowKit();

    @Test
    void aMapNodeReadsItemAndIndexInItsParams() throws Exception {
        LoadedWorkflow w = kit.workflows.loadText("""
                {"name": "m", "nodes": [
                  {"id": "each", "action": "log",
                   "map": {"items": "${{ input.people }}", "max_parallel": 3,
                           "on_item_failure": "tolerate", "max_failed_items": 2},
                   "params": {"message": "${{ string(index) + ': ' + item.name }}"}}]}""", "m.json");

        MapSpec map = w.workflow().node("each").map();
        assertThat(map.maxParallel()).isEqualTo(3);
        assertThat(map.onItemFailure()).isEqualTo(MapSpec.OnItemFailure.TOLERATE);
        assertThat(map.maxFailedItems()).isEqualTo(2);
    }

    @Test
    void itemAndIndexAreUnknownOutsideAMapNode() {
        assertThat(kit.problems("""
                        {"name": "m", "nodes": [
                          {"id": "one", "action": "log", "params": {"message": "${{ item.name }}"}}]}""", "m.json"))
                .singleElement()
                .asString()
                .startsWith(
                        "m.json:2:56 /nodes/0/params/message (node 'one'): expression 'item.name' is not valid at column 1")
                .contains("undeclared reference to 'item'");
    }

    @Test
    void itemsWhoseTypeIsKnownAndNotAListAreRefused() {
        assertThat(kit.problems("""
                        {"name": "m", "nodes": [
                          {"id": "each", "action": "noop", "map": {"items": "${{ 'a' + 'b' }}"}}]}""", "m.json"))
                .containsExactly(
                        "m.json:2:53 /nodes/0/map/items (node 'each'): items expression ''a' + 'b'' produces string, not a list");
    }

    @Test
    void mapFieldsAreChecked() {
        assertThat(kit.problems("""
                        {"name": "m", "nodes": [
                          {"id": "a", "action": "noop", "map": {"max_parallel": 0, "colour": 1}},
                          {"id": "b", "action": "noop", "map": {"items": [1, 2], "on_item_failure": "shrug"}},
                          {"id": "c", "action": "noop", "map": {"items": [1], "on_item_failure": "tolerate"}},
                          {"id": "d", "action": "noop", "map": {"items": [1], "max_failed_items": 3}},
                          {"id": "e", "action": "noop", "map": {"items": "no list ${{ input.x }}"}},
                          {"id": "f", "action": "signal", "params": {"name": "go"}, "map": {"items": [1]}},
                          {"id": "g", "action": "noop", "map": "input.x"}]}""", "m.json"))
                .containsExactly(
                        "m.json:2:40 /nodes/0/map (node 'a'): missing required field 'items' (an expression such as \"${{ input.recipients }}\")",
                        "m.json:2:57 /nodes/0/map/max_parallel (node 'a'): 'max_parallel' must be a whole number from 1 to 1000",
                        "m.json:2:70 /nodes/0/map/colour (node 'a'): unknown field 'colour' (known: items, max_failed_items, max_items, max_parallel, on_item_failure)",
                        "m.json:3:77 /nodes/1/map/on_item_failure (node 'b'): on_item_failure must be fail_fast, finish_all or tolerate",
                        "m.json:4:40 /nodes/2/map (node 'c'): on_item_failure: tolerate needs max_failed_items (the most items that may fail)",
                        "m.json:5:75 /nodes/3/map/max_failed_items (node 'd'): max_failed_items applies only with on_item_failure: tolerate",
                        "m.json:6:50 /nodes/4/map/items (node 'e'): items must be one expression \"${{ ... }}\" producing a list, not text around one",
                        "m.json:7:68 /nodes/5/map (node 'f'): a map node cannot run 'signal': its items cannot wait for signals",
                        "m.json:8:40 /nodes/6/map (node 'g'): map must be an object with 'items' and optionally max_parallel, on_item_failure, max_failed_items, max_items");
    }

    @Test
    void itemsMayOnlyReadUpstreamNodes() {
        assertThat(kit.problems("""
                        {"name": "m", "nodes": [
                          {"id": "list", "action": "noop"},
                          {"id": "each", "action": "noop", "map": {"items": "${{ nodes.list.output }}"}}]}""", "m.json"))
                .containsExactly(
                        "m.json:3:53 /nodes/1/map/items (node 'each'): refers to node 'list', which is not upstream of 'each' (add it to depends_on)");
    }

    @Test
    void itemsReadingAnInputPropertyTheSchemaForbidsAreRefused() {
        assertThat(kit.problems("""
                        {"name": "m",
                         "input_schema": {"type": "object", "properties": {"people": {"type": "array"}},
                                          "additionalProperties": false},
                         "nodes": [{"id": "each", "action": "noop", "map": {"items": "${{ input.peple }}"}}]}""", "m.json"))
                .singleElement()
                .asString()
                .startsWith("m.json:4:62 /nodes/0/map/items (node 'each'): expression 'input.peple' ");
    }
}
