package io.nebula.worker.cli;

/**
 * The exit codes of every {@code nebula-worker} command, which scripts may rely on. The first
 * three are the worker's own (see {@link Main}); the rest belong to the operator commands.
 *
 * <pre>
 * 0  OK                   the command did what was asked (submit --wait: the execution succeeded)
 * 1  FAILURE              something broke while running: database unreachable, I/O error, a bug
 * 2  USAGE                bad configuration, flags or arguments; a database that does not exist
 *                         (a SQLite file, for any command but migrate and the worker)
 * 3  NOT_FOUND            no execution with that id
 * 4  INVALID              a workflow file or an input is invalid; nothing was enqueued
 * 5  CONFLICT             the execution or schema is not in a state that allows the action
 *                         (retry of a running execution, cancel of a finished one, migrations pending:
 *                         a schema missing or older than this build, or one newer than it)
 * 6  EXECUTION_FAILED     submit --wait: the execution failed
 * 7  EXECUTION_CANCELLED  submit --wait: the execution was cancelled
 * 8  TIMED_OUT            submit --wait --timeout, demo --exit-when-done: time ran out first
 * </pre>
 */
public final class ExitCode {
    public static final int OK = Main.OK;
    public static final int FAILURE = Main.FAILURE;
    public static final int USAGE = Main.BAD_CONFIGURATION;
    public static final int NOT_FOUND = 3;
    public static final int INVALID = 4;
    public static final int CONFLICT = 5;
    public static final int EXECUTION_FAILED = 6;
    public static final int EXECUTION_CANCELLED = 7;
    public static final int TIMED_OUT = 8;

    private ExitCode() {}
}
