package io.nebula.worker.workflow;

/**
 * A workflow named by reference ({@code NAME} or {@code NAME@HASH}) is not in the store: no such
 * name was deployed, no stored version has that hash, or a hash prefix matches several versions.
 * The message says which, for people.
 */
public final class WorkflowNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String name;

    WorkflowNotFoundException(String name, String message) {
        super(message);
        this.name = name;
    }

    /** The workflow name looked up. */
    public String name() {
        return name;
    }
}
