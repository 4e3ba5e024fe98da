package io.nebula.worker.workflow;

/**
 * An expression could not produce a value at run time: a missing key, a wrong type, an exhausted
 * budget or an oversized result. Re-running it on the same data fails the same way, so the
 * runtime treats it as a permanent node failure.
 */
public final class EvaluationException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String expression;
    private final String reason;

    public EvaluationException(String expression, String reason) {
        super("expression '" + expression + "' failed: " + reason);
        this.expression = expression;
        this.reason = reason;
    }

    public String expression() {
        return expression;
    }

    public String reason() {
        return reason;
    }
}
