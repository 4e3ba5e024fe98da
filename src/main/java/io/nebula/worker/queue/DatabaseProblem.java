package io.nebula.worker.queue;

/**
 * Why the database could not be used, in plain words with the next step: {@code database 'nebula'
 * does not exist on 127.0.0.1:5432: create it or fix DATABASE_URL}. The store recognises the
 * common failures (no such database, authentication refused, unknown host, connection refused, no
 * answer) and attaches one of these to its {@link StoreException}.
 *
 * @param permanent whether trying again cannot help until someone changes the database or the
 *     configuration (no such database, wrong password, unknown host); a worker stops at start on
 *     these, and keeps retrying the others (a server that is starting or briefly unreachable)
 * @param message the full sentence, naming host and port: for logs and the command line
 * @param publicMessage the same without host, port or file path: for the health endpoints, which
 *     must not reveal where the database is
 */
public record DatabaseProblem(boolean permanent, String message, String publicMessage) {
    /** A problem that waiting may cure. */
    public static DatabaseProblem transientProblem(String message, String publicMessage) {
        return new DatabaseProblem(false, message, publicMessage);
    }

    /** A problem only a change of the database or the configuration cures. */
    public static DatabaseProblem permanentProblem(String message, String publicMessage) {
        return new DatabaseProblem(true, message, publicMessage);
    }
}
