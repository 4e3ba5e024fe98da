package io.nebula.worker.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkflowValidationTest {
    private final WorkflowKit kit = new WorkflowKit();

    @Test
    void malformedJsonIsReportedWithLineAndColumn() {
        List<String> p = kit.problems(
                "{\n  \"name\": \"x\",\n  \"nodes\": [\n    {\"id\": \"a\" \"action\": \"noop\"}\n  ]\n}", "bad.json");

        assertThat(p)
                .singleElement()
                .asString()
                .isEqualTo(
                        "bad.json:4:16: malformed JSON: Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries");
    }

    @Test
    void malformedYamlIsReportedWithLineAndColumn() {
        List<String> p = kit.problems("name: x\nnodes:\n  - id: a\n    action: [noop\n", "bad.yaml");

        assertThat(p)
                .singleElement()
                .asString()
                .isEqualTo(
                        "bad.yaml:4:18: malformed YAML: while parsing a flow sequence: expected ',' or ']', but got <stream end>");
    }

    @Test
    void aScheduleFileIsNamedAsSuchInsteadOfAsABrokenWorkflow() throws Exception {
        String text = java.nio.file.Files.readString(java.nio.file.Path.of(
                System.getProperty("nebula.project.dir", "."), "examples", "nightly-report.schedules.yaml"));

        assertThat(kit.problems(text, "nightly-report.schedules.yaml"))
                .singleElement()
                .asString()
                .contains("this is a schedule file")
                .contains("nebula-worker schedules apply FILE");
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsLocation() {
        String text = """
                {
                  "name": "shop",
                  "nodes": [
                    {"id": "pick", "action": "noop"},
                    {"id": "pick", "action": "noop"},
                    {"id": "pay", "action": "teleport"},
                    {"id": "ship", "action": "noop",
                      "depends_on": ["pack"]}
                  ]
                }
                """;

        assertThat(kit.problems(text, "examples/bad.json"))
                .containsExactly(
                        "examples/bad.json:5:12 /nodes/1/id (node 'pick'): duplicate node id 'pick' (first used at /nodes/0)",
                        "examples/bad.json:6:29 /nodes/2/action (node 'pay'): unknown action 'teleport' (known: delay, fail, http.request, log, noop, signal, transform)",
                        "examples/bad.json:8:22 /nodes/3/depends_on/0 (node 'ship'): depends on unknown node 'pack'");
    }

    @Test
    void aWorkflowTimeoutIsANumberOfSecondsFromOneToAYear() throws Exception {
        for (String bad : List.of("0", "0.5", "-3", "\"60\"", "31536001")) {
            assertThat(kit.problems(
                            "{\"name\": \"t\", \"timeout_seconds\": " + bad
                                    + ", \"nodes\": [{\"id\": \"a\", \"action\": \"noop\"}]}",
                            "t.json"))
                    .as(bad)
                    .singleElement()
                    .asString()
                    .contains("/timeout_seconds: timeout_seconds must be a number from 1 to 31536000 (a year)");
        }
        CompiledWorkflow w = kit.workflows
                .loadText(
                        "{\"name\": \"t\", \"timeout_seconds\": 90.5, \"nodes\": [{\"id\": \"a\", \"action\": \"noop\"}]}",
                        "t.json")
                .workflow();
        assertThat(w.timeout()).isEqualTo(java.time.Duration.ofMillis(90_500));
        assertThat(kit.workflows
                        .loadText("{\"name\": \"t\", \"nodes\": [{\"id\": \"a\", \"action\": \"noop\"}]}", "t.json")
                        .workflow()
                        .timeout())
                .isNull();
    }

    @Test
    void missingAndIllTypedFieldsAreNamed() {
        String text = """
                {"nodes": [{"action": "noop", "retry": {"attempts": "3"}, "timeout_seconds": -1, "colour": 1}]}""";

        assertThat(kit.problems(text, "f.json"))
                .containsExactly(
                        "f.json:1:1: missing required field 'name'",
                        "f.json:1:12 /nodes/0: missing required field 'id'",
                        "f.json:1:53 /nodes/0/retry/attempts: 'attempts' must be a whole number from 1 to 100",
                        "f.json:1:78 /nodes/0/timeout_seconds: timeout_seconds must be a number above 0 and at most 604800 (7 days)",
                        "f.json:1:92 /nodes/0/colour: unknown field 'colour' (known: action, depends_on, description, id, input, map, params, queue, retry, timeout_seconds, when, workflow)");
    }

    @Test
    void aCycleNamesItsNodesInOrder() {
        String text = """
                name: loop
                nodes:
                  - id: a
                    action: noop
                    depends_on: [c]
                  - id: b
                    action: noop
                    depends_on: [a]
                  - id: c
                    action: noop
                    depends_on: [b]
                """;

        assertThat(kit.problems(text, "loop.yaml"))
                .containsExactly("loop.yaml:5:18 /nodes/0/depends_on/0 (node 'a'): dependency cycle: a -> c -> b -> a");
    }

    @Test
    void anExpressionThatDoesNotParseIsReportedWithItsColumn() {
        String text = """
                {"name": "e", "nodes": [
                  {"id": "a", "action": "transform", "params": {"value": "${{ input.x + }}"}},
                  {"id": "b", "action": "noop", "when": "input.x >"}]}""";

        assertThat(kit.problems(text, "e.json"))
                .containsExactly(
                        "e.json:2:58 /nodes/0/params/value (node 'a'): expression 'input.x +' does not parse at column 10: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}",
                        "e.json:3:41 /nodes/1/when (node 'b'): expression 'input.x >' does not parse at column 10: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}");
    }

    @Test
    void aDuplicateNodesUnknownDependencyIsReportedToo() {
        String text = """
                {"name": "d", "nodes": [
                  {"id": "a", "action": "noop"},
                  {"id": "a", "action": "noop", "depends_on": ["zz"]}]}""";

        assertThat(kit.problems(text, "d.json"))
                .anySatisfy(p -> assertThat(p).contains("/nodes/1/id (node 'a'): duplicate node id 'a'"))
                .anySatisfy(
                        p -> assertThat(p).contains("/nodes/1/depends_on/0 (node 'a'): depends on unknown node 'zz'"));
    }

    @Test
    void aConditionKnownNotToBeABooleanIsRefused() throws Exception {
        String text = """
                {"name": "e", "nodes": [
                  {"id": "a", "action": "noop", "when": "1 + 2"},
                  {"id": "b", "action": "noop", "when": "'yes'"},
                  {"id": "c", "action": "noop", "when": "input.flag"}]}""";

        assertThat(kit.problems(text, "e.json"))
                .containsExactly(
                        "e.json:2:41 /nodes/0/when (node 'a'): when must give true or false, and '1 + 2' gives int;"
                                + " compare it, as in '1 + 2 > 0'",
                        "e.json:3:41 /nodes/1/when (node 'b'): when must give true or false, and ''yes'' gives string");
        // A definition stored by a build that let it through still compiles: queued executions run.
        String stored = Canonical.json(Canonical.sorted(tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .readTree(
                        "{\"name\": \"e\", \"nodes\": [{\"id\": \"a\", \"action\": \"noop\", \"when\": \"1 + 2\"}]}")));
        assertThat(kit.workflows.compile(stored).name()).isEqualTo("e");
    }

    @Test
    void anUndeclaredVariableIsACompileError() {
        String text = """
                {"name": "e", "nodes": [{"id": "a", "action": "noop", "when": "env.HOME == ''"}]}""";

        assertThat(kit.problems(text, "e.json"))
                .singleElement()
                .asString()
                .isEqualTo(
                        "e.json:1:63 /nodes/0/when (node 'a'): expression 'env.HOME == ''' is not valid at column 1: undeclared reference to 'env' (in container '')");
    }

    @Test
    void anExpressionThatParsesButCombinesValuesNoOperatorTakesIsNotValidRatherThanUnparsable() {
        String text = """
                {"name": "e", "nodes": [{"id": "a", "action": "noop", "when": "1 + 'a' == 2"}]}""";

        assertThat(kit.problems(text, "e.json"))
                .singleElement()
                .asString()
                .startsWith(
                        "e.json:1:63 /nodes/0/when (node 'a'): expression '1 + 'a' == 2' is not valid at column 3: ")
                .contains("no matching overload")
                .doesNotContain("does not parse");
    }

    @Test
    void aWorkflowNameThatIsTooLongOrHoldsInvisibleCharactersIsRefused() {
        assertThat(kit.problems(
                        "{\"name\": \"" + "n".repeat(201) + "\", \"nodes\": [{\"id\": \"a\", \"action\": \"noop\"}]}",
                        "n.json"))
                .singleElement()
                .asString()
                .endsWith("/name: 'name' is 201 characters, more than the limit of 200");
        assertThat(kit.problems(
                        "{\"name\": \"pay\u202Eevil\", \"nodes\": [{\"id\": \"a\", \"action\": \"noop\"}]}", "n.json"))
                .singleElement()
                .asString()
                .contains("/name: 'name' holds the control or formatting character U+202E at position 4");
        assertThat(DefinitionValidator.nameProblem("one\u2028two")).contains("U+2028 at position 4");
        assertThat(DefinitionValidator.nameProblem("r\u00e9sum\u00e9 \u540d\u524d"))
                .as("letters of any script are fine")
                .isNull();
    }

    @Test
    void anExpressionReadingAnInputPropertyTheSchemaForbidsIsRefused() {
        String text = """
                {"name": "shop", "input_schema": {"type": "object", "additionalProperties": false,
                   "properties": {"customer": {"type": "object", "additionalProperties": false,
                                               "properties": {"email": {"type": "string"}}},
                                  "items": {"type": "array", "items": {"type": "object",
                                            "additionalProperties": false, "properties": {"price": {"type": "number"}}}},
                                  "note": {"type": "object"}}},
                 "nodes": [
                   {"id": "a", "action": "transform", "when": "input.express",
                    "params": {"value": ["${{ input.customer.name }}", "${{ input['coupon'] }}",
                                         "${{ input.items.map(i, i.qty) }}", "${{ input.items[0].cost }}"]}},
                   {"id": "b", "action": "transform", "params": {"value": [
                      "${{ has(input.gift) }}", "${{ input.customer.email }}", "${{ input.note.anything }}",
                      "${{ input.items.map(input, input.price) }}", "${{ [1].map(x, x) }}"]}}],
                 "output": "${{ input.total }}"}""";

        List<String> problems = kit.problems(text, "shop.json");

        assertThat(problems)
                .hasSize(6)
                .anySatisfy(
                        p -> assertThat(p)
                                .contains(
                                        "/nodes/0/when (node 'a'): expression 'input.express' reads input.express, which the"
                                                + " input schema forbids (additionalProperties: false at input; allowed: customer, items, note)"))
                .anySatisfy(
                        p -> assertThat(p).contains("reads input.customer.name", "at input.customer; allowed: email"))
                .anySatisfy(p -> assertThat(p).contains("expression 'input['coupon']' reads input.coupon"))
                .anySatisfy(p -> assertThat(p).contains("reads input.items[].qty", "allowed: price"))
                .anySatisfy(p -> assertThat(p).contains("reads input.items[].cost"))
                .anySatisfy(p -> assertThat(p).contains("/output: expression 'input.total' reads input.total"));
    }

    @Test
    void aStoredDefinitionIsNotHeldToTheInputReadCheck() throws Exception {
        String text = """
                {"name": "old", "input_schema": {"type": "object", "additionalProperties": false, "properties": {}},
                 "nodes": [{"id": "a", "action": "transform", "params": {"value": "${{ input.x }}"}}]}""";

        assertThat(kit.problems(text, "old.json")).hasSize(1);
        String canonical = Canonical.json(Canonical.sorted(
                tools.jackson.databind.json.JsonMapper.builder().build().readTree(text)));
        assertThat(kit.workflows.compile(canonical).name()).isEqualTo("old");
    }

    @Test
    void paramsTheActionRejectsPointAtTheParameter() {
        String text = """
                {"name": "p", "nodes": [
                  {"id": "call", "action": "http.request", "params": {"url": "ftp://x", "method": "BREW", "verbose": true}},
                  {"id": "wait", "action": "delay", "params": {"seconds": "${{ input.s }}"}},
                  {"id": "boom", "action": "fail", "params": {"times": "two"}}]}""";

        assertThat(kit.problems(text, "p.json"))
                .containsExactly(
                        "p.json:2:62 /nodes/0/params/url (node 'call'): invalid params for 'http.request': url: must be an http or https URL, got 'ftp://x'",
                        "p.json:2:83 /nodes/0/params/method (node 'call'): invalid params for 'http.request': method: must be one of [DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT], got 'BREW'",
                        "p.json:2:102 /nodes/0/params/verbose (node 'call'): invalid params for 'http.request': verbose: unknown parameter (known: body, headers, idempotency_key, method, timeout_seconds, url)",
                        "p.json:4:56 /nodes/2/params/times (node 'boom'): invalid params for 'fail': times: must be a whole number, got a string");
    }

    @Test
    void tooManyNodesIsReportedWithTheLimit() {
        var small = new WorkflowKit(Limits.defaults().withMaxNodes(2));
        String text = """
                {"name": "n", "nodes": [{"id": "a", "action": "noop"}, {"id": "b", "action": "noop"}, {"id": "c", "action": "noop"}]}""";

        assertThat(small.problems(text, "n.json"))
                .containsExactly("n.json:1:24 /nodes: workflow has 3 nodes, more than the limit of 2");
    }

    @Test
    void nestingDeeperThanTheLimitIsReported() {
        String deep = "[".repeat(70) + "]".repeat(70);
        String text =
                "{\"name\": \"d\", \"nodes\": [{\"id\": \"a\", \"action\": \"transform\", \"params\": {\"value\": "
                        + deep + "}}]}";

        assertThat(kit.problems(text, "d.json"))
                .singleElement()
                .asString()
                .startsWith("d.json:1:")
                .contains("/nodes/0/params/value/0/0/0")
                .endsWith(": nesting is deeper than the limit of 64 levels");
    }

    @Test
    void anExpressionLongerThanTheLimitIsReported() {
        String expr = "input.x + " + "1 + ".repeat(1100) + "1";
        String text =
                "{\"name\": \"l\", \"nodes\": [{\"id\": \"a\", \"action\": \"transform\", \"params\": {\"value\": \"${{ "
                        + expr + " }}\"}}]}";

        assertThat(kit.problems(text, "l.json"))
                .singleElement()
                .asString()
                .endsWith(" + 1 ...': it is 4411 characters long, more than the limit of 4096");
    }

    @Test
    void aDefinitionLargerThanTheLimitIsRefusedBeforeParsing() {
        String text = "{\"name\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}";

        assertThat(kit.problems(text, "big.json"))
                .containsExactly("big.json: definition is 2097164 bytes, more than the limit of 1048576");
    }

    @Test
    void anInvalidInputSchemaIsReported() {
        String text = """
                {"name": "s", "input_schema": {"type": "thing", "pattern": "x"}, "nodes": [{"id": "a", "action": "noop"}]}""";

        assertThat(kit.problems(text, "s.json"))
                .containsExactly(
                        "s.json:1:40 /input_schema/type: type must be one of [array, boolean, integer, null, number, object, string]",
                        "s.json:1:60 /input_schema/pattern: unsupported schema keyword 'pattern' (supported: [$schema, additionalProperties, default, description, enum, items, properties, required, title, type])");
    }

    @Test
    void expressionsMayOnlyReadUpstreamNodes() {
        String text = """
                {"name": "r", "nodes": [
                  {"id": "a", "action": "noop"},
                  {"id": "b", "action": "transform", "params": {"value": "${{ nodes.c.output }}"}},
                  {"id": "c", "action": "noop", "depends_on": ["a"], "when": "nodes['ghost'].status == 'x'"}],
                 "output": "${{ nodes.zed }}"}""";

        assertThat(kit.problems(text, "r.json"))
                .containsExactly(
                        "r.json:3:58 /nodes/1/params/value (node 'b'): refers to node 'c', which is not upstream of 'b' (add it to depends_on)",
                        "r.json:4:62 /nodes/2/when (node 'c'): refers to unknown node 'ghost'",
                        "r.json:5:12 /output: refers to unknown node 'zed'");
    }
}
