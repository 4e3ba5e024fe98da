package io.nebula.worker.app;

import io.nebula.worker.queue.SubmitRejectedException;
import java.util.List;

/** An execution input that is well-formed JSON but does not match the workflow's input schema. */
public final class SchemaMismatchException extends SubmitRejectedException {
    private static final long serialVersionUID = 1L;

    private final String where;
    private final String workflowName;
    private final transient List<String> problems;

    public SchemaMismatchException(String where, String workflowName, List<String> problems) {
        super(where + " does not match the input schema of '" + workflowName + "': " + String.join("; ", problems));
        this.where = where;
        this.workflowName = workflowName;
        this.problems = List.copyOf(problems);
    }

    /** Which input: {@code input}, {@code input #2}, {@code inputs.jsonl line 7}. */
    public String where() {
        return where;
    }

    public String workflowName() {
        return workflowName;
    }

    /** One line-worthy message per problem. */
    public List<String> problems() {
        return problems;
    }
}
