package io.nebula.worker.workflow;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.Assertions;

/** Loads definitions with the built-in actions and returns their problems. */
final class WorkflowKit {
    final Workflows workflows;

    WorkflowKit(Limits limits, Action... extra) {
        ActionRegistry registry = ActionRegistry.builder()
                .registerAll(BuiltinActions.create(HttpActionOptions.defaults(), Duration.ofSeconds(5)))
                .registerAll(List.of(extra))
                .build();
        this.workflows = new Workflows(registry, limits);
    }

    WorkflowKit() {
        this(Limits.defaults());
    }

    /** The rendered problems of an invalid definition; fails the test when it is valid. */
    List<String> problems(String text, String source) {
        try {
            workflows.loadText(text, source);
        } catch (WorkflowInvalidException e) {
            Assertions.assertThat(e.getMessage())
                    .isEqualTo(String.join(
                            "\n", e.problems().stream().map(Problem::render).toList()));
            return e.problems().stream().map(Problem::render).toList();
        }
        throw new AssertionError("expected " + source + " to be invalid");
    }
}
