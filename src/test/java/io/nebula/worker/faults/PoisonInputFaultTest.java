package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.InputGuard;
import io.nebula.worker.queue.SubmitRejectedException;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.WorkflowInvalidException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fault suite, poison input: definitions and inputs that must be rejected at submit with a clear
 * error (malformed, cyclic, unknown action, too deep, NUL, invalid UTF-8, too large, too many values); definitions
 * that reach a worker anyway and must fail cleanly; strings that look like SQL or templates, which
 * must come back byte for byte; and an action that kills its JVM, which must be quarantined after
 * {@code quarantine_after} deaths while the workers are restarted. Good executions submitted
 * alongside must all succeed.
 */
@Tag("fault")
class PoisonInputFaultTest {
    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String ECHO = """
            {"name": "faults-echo",
             "nodes": [{"id": "echo", "action": "transform", "params": {"value": "${{ input.s }}"}}],
             "output": {"s": "${{ nodes.echo.output }}"}}
            """;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void poisonIsRejectedOrFailsCleanlyAndGoodWorkIsUnaffected() throws Exception {
        try (FaultRun run = FaultRun.postgres("poison", FaultBounds.settings().with("queue.quarantine_after", 3))) {
            WorkflowClient client = run.workload().client();
            rejectedAtSubmit(client);
            long executionsBefore = run.store()
                    .store()
                    .executionList(new ExecutionFilter(null, null, null, 10))
                    .size();
            assertThat(executionsBefore).as("a rejected submit writes nothing").isZero();

            run.fleet().start(run.names(2));
            run.fleet().superviseRestarts();
            long killer =
                    run.workload().submit(FaultWorkflows.HALT, List.of("{}")).get(0);
            List<Long> good = run.workload().submit(FaultWorkflows.QUICK, Collections.nCopies(300, "{}"));
            Map<Long, String> echoed = new LinkedHashMap<>();
            for (String s : tricky()) {
                String input = JSON.writeValueAsString(Map.of("s", s));
                echoed.put(run.workload().submit(ECHO, List.of(input)).get(0), s);
            }
            long unknownAction = submitUnchecked(
                    run,
                    "no-such-action",
                    "{\"name\":\"stale\",\"nodes\":[{\"id\":\"a\",\"action\":\"no.such.action\"}]}");
            long corrupt = submitUnchecked(run, "corrupt", "{\"name\": \"corrupt\", \"nodes\": [");

            run.workload().awaitDrained(Duration.ofMinutes(3));
            run.fleet().stopAll();
            CheckReport report = run.check(FaultBounds.MARGIN);
            assertThat(report.allValid()).as(report.render()).isTrue();

            ExecutionView k = view(run, killer);
            assertThat(k.state()).isEqualTo(ExecutionState.FAILED);
            assertThat(k.deaths()).isEqualTo(3);
            assertThat(k.lastError()).startsWith("quarantined as poison: its worker died 3 times");
            long halted = run.fleet().all().stream()
                    .filter(w -> w.exitCode() == HaltAction.EXIT_STATUS)
                    .count();
            assertThat(halted).as("workers the poison killed").isEqualTo(3);

            assertThat(good).allMatch(id -> view(run, id).state() == ExecutionState.SUCCEEDED);
            for (Map.Entry<Long, String> e : echoed.entrySet()) {
                ExecutionView v = view(run, e.getKey());
                assertThat(v.state()).isEqualTo(ExecutionState.SUCCEEDED);
                String in = JSON.writeValueAsString(Map.of("s", e.getValue()));
                assertThat(v.inputJson().getBytes(StandardCharsets.UTF_8))
                        .as("input of %s", e.getKey())
                        .isEqualTo(in.getBytes(StandardCharsets.UTF_8));
                String out = JSON.readTree(v.outputJson()).get("s").asString();
                assertThat(out.getBytes(StandardCharsets.UTF_8))
                        .as("output of %s", e.getKey())
                        .isEqualTo(e.getValue().getBytes(StandardCharsets.UTF_8));
            }
            ExecutionView u = view(run, unknownAction);
            assertThat(u.state()).isEqualTo(ExecutionState.FAILED);
            assertThat(u.attempt()).isEqualTo(1);
            assertThat(u.lastError()).contains("unknown action 'no.such.action'");
            ExecutionView c = view(run, corrupt);
            assertThat(c.state()).isEqualTo(ExecutionState.FAILED);
            assertThat(c.attempt()).isEqualTo(1);
            assertThat(c.lastError()).startsWith("workflow definition is not valid on this worker");
            run.note("poison: " + rejections + " kinds rejected at submit; JVM killer quarantined after "
                    + k.deaths() + " deaths; " + echoed.size() + " tricky strings round-tripped; " + good.size()
                    + " good executions succeeded");
        }
    }

    private int rejections;

    /** Definitions and inputs refused before anything is written, each with a message naming why. */
    private void rejectedAtSubmit(WorkflowClient client) throws Exception {
        Map<String, String> definitions = new LinkedHashMap<>();
        definitions.put("{\"name\": \"broken\", \"nodes\": [", "malformed JSON");
        definitions.put("name: [unclosed\nnodes: {", "malformed YAML");
        definitions.put(
                "{\"name\":\"cycle\",\"nodes\":[{\"id\":\"a\",\"action\":\"noop\",\"depends_on\":[\"b\"]},"
                        + "{\"id\":\"b\",\"action\":\"noop\",\"depends_on\":[\"a\"]}]}",
                "dependency cycle: a -> b -> a");
        definitions.put(
                "{\"name\":\"unknown\",\"nodes\":[{\"id\":\"a\",\"action\":\"no.such.action\"}]}",
                "unknown action 'no.such.action'");
        definitions.put(
                "{\"name\":\"deep\",\"nodes\":[{\"id\":\"a\",\"action\":\"transform\",\"params\":{\"value\":"
                        + "[".repeat(200) + "]".repeat(200) + "}}]}",
                "nesting is deeper than the limit of 64 levels");
        definitions.put(
                "{\"name\":\"nul\u0000\",\"nodes\":[{\"id\":\"a\",\"action\":\"noop\"}]}",
                "definition contains a NUL character");
        definitions.put(
                "{\"name\":\"bad-expression\",\"nodes\":[{\"id\":\"a\",\"action\":\"transform\","
                        + "\"params\":{\"value\":\"${{ env.HOME }}\"}}]}",
                "undeclared reference to 'env'");
        for (Map.Entry<String, String> d : definitions.entrySet()) {
            String source = d.getKey().startsWith("{") ? "poison.json" : "poison.yaml";
            assertThatThrownBy(() -> client.workflows().loadText(d.getKey(), source))
                    .as("definition %s", d.getKey().length() > 60 ? d.getKey().substring(0, 60) : d.getKey())
                    .isInstanceOf(WorkflowInvalidException.class)
                    .hasMessageContaining(d.getValue());
            rejections++;
        }
        LoadedWorkflow echo = FaultWorkflows.load(client, ECHO);
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put("{\"s\": \"a\\u0000b\"}", "input contains a NUL character");
        inputs.put("{\"s\": \"\\ud800\"}", "unpaired surrogate");
        inputs.put("{\"s\": ", "not valid JSON");
        inputs.put("{\"s\": " + "[".repeat(5_000) + "]".repeat(5_000) + "}", "is nested more than 500 levels deep");
        inputs.put("{\"s\": \"" + "x".repeat(1_100_000) + "\"}", "over the limit of 1048576 bytes");
        inputs.put("{\"s\": [" + "{},".repeat(300_000) + "{}]}", "holds more than 100000 JSON values");
        for (Map.Entry<String, String> i : inputs.entrySet()) {
            assertThatThrownBy(() -> client.submit(echo, i.getKey(), SubmitOptions.defaults()))
                    .as("input %s", i.getKey().length() > 40 ? i.getKey().substring(0, 40) : i.getKey())
                    .isInstanceOf(SubmitRejectedException.class)
                    .hasMessageContaining(i.getValue());
            rejections++;
        }
        byte[] invalidUtf8 = {'{', '"', 's', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertThatThrownBy(() -> InputGuard.decodeUtf8(invalidUtf8, "submit"))
                .isInstanceOf(SubmitRejectedException.class)
                .hasMessage("submit: not valid UTF-8 (first invalid byte at offset 6)");
        rejections++;
    }

    /** Strings that look like code to some layer; each must come back exactly as sent. */
    static List<String> tricky() {
        List<String> out = new ArrayList<>(List.of(
                "'; DROP TABLE executions; --",
                "Robert'); DROP TABLE students;--",
                "${{ input.s }}",
                "${{ 1 + 1 }} and ${{ nodes.echo.output }}",
                "{{ 7 * 7 }} <%= 7 * 7 %> #{7 * 7} ${7 * 7} %s %n",
                "control \u0001\u001f tab\t newline\n return\r",
                "emoji \uD83D\uDE00 music \uD834\uDD1E CJK \u6F22\u5B57 RTL \u05E2\u05D1\u05E8\u05D9\u05EA",
                "back\\slash \"quote\" /slash \\u0000 (an escaped backslash, not a NUL)",
                "\u2028\u2029 separators and \uFEFF BOM",
                "x".repeat(200_000)));
        return out;
    }

    /** Stores a definition as is and enqueues it, as a client that skipped validation would. */
    private static long submitUnchecked(FaultRun run, String hash, String definition) {
        var store = run.store().store();
        store.workflowPut(new WorkflowDocument(hash, hash, definition));
        long id = store.executionSubmitMany(List.of(SubmitRequest.now("default", hash, hash, "{}", 3)))
                .get(0)
                .executionId();
        run.workload().track(id);
        return id;
    }

    private static ExecutionView view(FaultRun run, long id) {
        return run.store().store().executionGet(id).orElseThrow();
    }
}
