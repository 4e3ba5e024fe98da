package io.nebula.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionContext;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.RunOutcome;
import io.nebula.worker.secret.EnvSecrets;
import io.nebula.worker.secret.PluginSecrets;
import io.nebula.worker.secret.SecretResolver;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.Workflows;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Secrets as the runtime uses them: resolved just before a node runs, given to its action, and
 * kept out of everything the attempt records (outputs, errors, what later nodes read).
 */
class RuntimeSecretsTest {
    private final String token = "tok-" + UUID.randomUUID();
    private final List<JsonNode> calls = new CopyOnWriteArrayList<>();

    /** {@code echo}: records its params and returns them, as a server echoing a request would. */
    private final Action echo = new Action() {
        @Override
        public String name() {
            return "echo";
        }

        @Override
        public JsonNode execute(JsonNode params, ActionContext ctx) {
            calls.add(params);
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.set("sent", params);
            return out;
        }
    };

    /** {@code leak}: fails with a message quoting its params. */
    private final Action leak = new Action() {
        @Override
        public String name() {
            return "leak";
        }

        @Override
        public JsonNode execute(JsonNode params, ActionContext ctx) throws ActionException {
            throw ActionException.permanent("server said no to " + params);
        }
    };

    private WorkflowRuntime runtime(Workflows workflows, ActionRegistry registry) {
        SecretResolver secrets = new SecretResolver(
                List.of(new EnvSecrets("T_", Map.of("T_TOKEN", token)::get), new PluginSecrets()), Duration.ZERO);
        return new WorkflowRuntime(workflows, registry, RuntimeOptions.defaults(), null, secrets);
    }

    private RunOutcome run(String definition) throws Exception {
        ActionRegistry registry = ActionRegistry.builder()
                .registerAll(
                        BuiltinActions.create(HttpActionOptions.defaults(), Duration.ofSeconds(1), Clock.systemUTC()))
                .register(echo)
                .register(leak)
                .build();
        Workflows workflows = new Workflows(registry, Limits.defaults());
        String canonical = workflows.loadText(definition, "test.json").canonicalJson();
        return InMemoryAttempt.first(canonical, "{}").runWith(runtime(workflows, registry));
    }

    @Test
    void theActionGetsTheValueAndTheOutputThatEchoesItIsRecordedMasked() throws Exception {
        RunOutcome o = run("""
                {"name": "s", "nodes": [
                  {"id": "call", "action": "echo",
                   "params": {"auth": "Bearer ${{ secrets.TOKEN }}", "whole": "${{ secrets['TOKEN'] }}"}},
                  {"id": "next", "action": "echo", "depends_on": ["call"],
                   "params": {"seen": "${{ nodes.call.output.sent.auth }}"}}
                ],
                 "output": {"auth": "${{ nodes.call.output.sent.auth }}"}}
                """);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(calls.get(0).get("auth").asString()).isEqualTo("Bearer " + token);
        assertThat(calls.get(0).get("whole").asString()).isEqualTo(token);
        assertThat(calls.get(1).get("seen").asString())
                .as("later nodes read the masked output")
                .isEqualTo("Bearer ***");
        RunOutcome.Succeeded s = (RunOutcome.Succeeded) o;
        assertThat(s.outputJson()).isEqualTo("{\"auth\":\"Bearer ***\"}");
        assertThat(s.unsaved()).extracting(NodeResult::outputJson).noneMatch(j -> j.contains(token));
        assertThat(s.unsaved()).extracting(NodeResult::outputJson).anyMatch(j -> j.contains("Bearer ***"));
    }

    @Test
    void anErrorQuotingTheValueIsRecordedMasked() throws Exception {
        RunOutcome o = run("""
                {"name": "s", "nodes": [
                  {"id": "call", "action": "leak", "params": {"auth": "${{ secrets.TOKEN }}"}}
                ]}
                """);

        RunOutcome.Failed f = (RunOutcome.Failed) o;
        assertThat(f.retryable()).isFalse();
        assertThat(f.error()).contains("server said no to {\"auth\":\"***\"}").doesNotContain(token);
        assertThat(f.unsaved()).extracting(NodeResult::error).noneMatch(e -> e != null && e.contains(token));
    }

    @Test
    void aSecretNoProviderHasFailsTheNodePermanentlyNamingTheSecretAndWhereItWasLookedFor() throws Exception {
        RunOutcome o = run("""
                {"name": "s", "nodes": [
                  {"id": "call", "action": "echo", "params": {"auth": "${{ secrets.MISSING }}"}}
                ]}
                """);

        RunOutcome.Failed f = (RunOutcome.Failed) o;
        assertThat(f.retryable()).isFalse();
        assertThat(f.error())
                .isEqualTo("node 'call' (echo) cannot run: secret 'MISSING' is not set: looked for environment"
                        + " variable T_MISSING, test store entry MISSING");
        assertThat(calls).isEmpty();
    }

    @Test
    void aProviderThatCannotAnswerFailsTheAttemptRetryably() throws Exception {
        RunOutcome o = run("""
                {"name": "s", "nodes": [
                  {"id": "call", "action": "echo", "params": {"auth": "${{ secrets.PLUGIN_BROKEN }}"}}
                ]}
                """);

        RunOutcome.Failed f = (RunOutcome.Failed) o;
        assertThat(f.retryable()).isTrue();
        assertThat(f.error()).contains("could not be read from the test-plugin provider");
    }

    @Test
    void aSecretFromAPluginProviderIsResolved() throws Exception {
        RunOutcome o = run("""
                {"name": "s", "nodes": [
                  {"id": "call", "action": "echo", "params": {"v": "${{ secrets.PLUGIN_PROVIDED }}"}}
                ]}
                """);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(calls.get(0).get("v").asString()).isEqualTo(PluginSecrets.VALUE);
    }

    @Test
    void eachItemOfAMapNodeGetsTheValueAndItsOutputIsRecordedMasked() throws Exception {
        RunOutcome o = run("""
                {"name": "s", "nodes": [
                  {"id": "each", "action": "echo", "map": {"items": [10, 20, 30], "max_parallel": 2},
                   "params": {"auth": "${{ secrets.TOKEN + ':' + string(item) }}", "i": "${{ index }}"}}
                ],
                 "output": "${{ nodes.each.output.map(o, o.sent.auth) }}"}
                """);

        assertThat(o).isInstanceOf(RunOutcome.Succeeded.class);
        assertThat(calls)
                .extracting(c -> c.get("auth").asString())
                .containsExactlyInAnyOrder(token + ":10", token + ":20", token + ":30");
        RunOutcome.Succeeded s = (RunOutcome.Succeeded) o;
        assertThat(s.outputJson()).isEqualTo("[\"***:10\",\"***:20\",\"***:30\"]");
        assertThat(s.unsaved()).extracting(NodeResult::outputJson).noneMatch(j -> j != null && j.contains(token));
    }
}
