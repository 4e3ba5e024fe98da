package io.nebula.worker.queue;

/**
 * A store operation failed after its retries. The message names the operation, or, when the store
 * recognised the failure, says in plain words what is wrong with the database and what to do
 * ({@link #problem()}); the cause holds the driver's error. Messages never contain credentials.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient DatabaseProblem problem;

    public StoreException(String message, Throwable cause) {
        this(message, cause, null);
    }

    public StoreException(String message) {
        this(message, null, null);
    }

    /** A failure the store recognised; its message is the problem's. */
    public StoreException(DatabaseProblem problem, Throwable cause) {
        this(problem.message(), cause, problem);
    }

    private StoreException(String message, Throwable cause, DatabaseProblem problem) {
        super(message, cause);
        this.problem = problem;
    }

    /** The recognised problem, or {@code null} when the failure is not one the store explains. */
    public DatabaseProblem problem() {
        return problem;
    }

    /** Whether only a change of the database or the configuration can make this work. */
    public boolean permanent() {
        return problem != null && problem.permanent();
    }

    /** The message for the health endpoints: the problem's without host or path, else a generic one. */
    public String publicMessage() {
        return problem != null ? problem.publicMessage() : "the database did not answer as expected";
    }
}
