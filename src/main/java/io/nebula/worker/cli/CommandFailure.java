package io.nebula.worker.cli;

import java.util.List;

/**
 * An expected way for a command to end without success: an unknown id, an invalid file, a state
 * that forbids the action. {@link Main} prints each line prefixed with {@code nebula-worker:} on
 * stderr (redacted, no stack trace) and exits with {@link #exitCode()}.
 */
public final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final List<String> details;

    /**
     * @param exitCode one of {@link ExitCode}
     * @param message the first line
     * @param details further lines, printed as they are (e.g. every validation problem)
     */
    public CommandFailure(int exitCode, String message, List<String> details) {
        super(message);
        this.exitCode = exitCode;
        this.details = List.copyOf(details);
    }

    public CommandFailure(int exitCode, String message) {
        this(exitCode, message, List.of());
    }

    public int exitCode() {
        return exitCode;
    }

    public List<String> details() {
        return details;
    }

    /** The standard message for an execution id that does not exist. */
    public static CommandFailure noExecution(long id) {
        return new CommandFailure(
                ExitCode.NOT_FOUND,
                "no execution with id " + id
                        + " (it may never have existed, or it finished and was pruned after queue.retention_hours)");
    }
}
