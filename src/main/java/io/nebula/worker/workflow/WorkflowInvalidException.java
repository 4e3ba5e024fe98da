package io.nebula.worker.workflow;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A workflow definition was rejected. Carries every problem found, not just the first, so an
 * author fixes them in one pass; the message lists them one per line.
 */
public final class WorkflowInvalidException extends Exception {
    private static final long serialVersionUID = 1L;

    private static final int RENDERED = 100;

    private final transient List<Problem> problems;

    public WorkflowInvalidException(List<Problem> problems) {
        super(render(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid workflow needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    /** One line per problem; past {@value #RENDERED} problems, a count of the rest. */
    private static String render(List<Problem> problems) {
        String shown = problems.stream().limit(RENDERED).map(Problem::render).collect(Collectors.joining("\n"));
        return problems.size() <= RENDERED
                ? shown
                : shown + "\n... and " + (problems.size() - RENDERED) + " more problems";
    }
}
