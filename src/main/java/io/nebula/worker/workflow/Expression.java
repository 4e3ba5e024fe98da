package io.nebula.worker.workflow;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Map;

/**
 * One compiled CEL expression with its source text. Compiled once per definition and then
 * evaluated any number of times, from any thread.
 */
final class Expression {
    /** Longest part of the source quoted in an error message. */
    private static final int QUOTED = 200;

    private final String source;
    private final CelRuntime.Program program;
    private final Limits limits;

    Expression(String source, CelRuntime.Program program, Limits limits) {
        this.source = source;
        this.program = program;
        this.limits = limits;
    }

    String source() {
        return source;
    }

    /** As {@link #evaluate(Map, Evaluation)}, as an evaluation of its own. */
    Object evaluate(Map<String, ?> variables) throws EvaluationException {
        return evaluate(variables, new Evaluation(limits));
    }

    /**
     * Evaluates with the given variables (CEL values, see {@link CelValues}) within the budgets of
     * {@code evaluation}, which other expressions of the same evaluation share.
     *
     * @throws EvaluationException for a missing key, a type mismatch, division by zero or an
     *     exhausted budget (then naming the budget's setting)
     */
    Object evaluate(Map<String, ?> variables, Evaluation evaluation) throws EvaluationException {
        Evaluation outer = evaluation.enter();
        try {
            Object value = program.trace(variables, evaluation);
            failOnBreach(evaluation);
            return value;
        } catch (CelEvaluationException e) {
            failOnBreach(evaluation);
            throw new EvaluationException(quoted(), reason(e));
        } catch (RuntimeException e) {
            failOnBreach(evaluation);
            // CEL reports some type errors as unchecked exceptions; they are still the author's.
            throw new EvaluationException(quoted(), e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            Evaluation.exit(outer);
        }
    }

    private void failOnBreach(Evaluation evaluation) throws EvaluationException {
        if (evaluation.breach() != null) {
            throw new EvaluationException(quoted(), evaluation.breach());
        }
    }

    /** The source for a message: whole when short, else its start. */
    String quoted() {
        return source.length() <= QUOTED ? source : source.substring(0, QUOTED) + "...";
    }

    /** CEL prefixes messages with "evaluation error at <input>:OFFSET: "; authors need the rest. */
    private static String reason(CelEvaluationException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int at = m.indexOf("<input>:");
        if (at >= 0) {
            int colon = m.indexOf(": ", at);
            if (colon > 0) {
                m = m.substring(colon + 2);
            }
        }
        // Some CEL messages quote the arguments in full ("failed with arg(s) ..."), which may be
        // megabytes of input: the start is enough to recognise them.
        return m.length() <= 2 * QUOTED ? m : m.substring(0, 2 * QUOTED) + "...";
    }

    @Override
    public String toString() {
        return source;
    }
}
