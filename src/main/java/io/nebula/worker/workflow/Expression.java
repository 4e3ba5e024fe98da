package io.nebula.worker.workflow;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Map;

/**
 * One compiled CEL expression with its source text. Compiled once per definition and then
 * evaluated any number of times, from any thread.
 */
final class Expression {
    private final String source;
    private final CelRuntime.Program program;

    Expression(String source, CelRuntime.Program program) {
        this.source = source;
        this.program = program;
    }

    String source() {
        return source;
    }

    /**
     * Evaluates with the given variables (CEL values, see {@link CelValues}).
     *
     * @throws EvaluationException for a missing key, a type mismatch, division by zero or an
     *     exhausted iteration budget
     */
    Object evaluate(Map<String, ?> variables) throws EvaluationException {
        try {
            return program.eval(variables);
        } catch (CelEvaluationException e) {
            throw new EvaluationException(source, reason(e));
        } catch (RuntimeException e) {
            // CEL reports some type errors as unchecked exceptions; they are still the author's.
            throw new EvaluationException(source, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** CEL prefixes messages with "evaluation error at <input>:OFFSET: "; authors need the rest. */
    private static String reason(CelEvaluationException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int at = m.indexOf("<input>:");
        if (at >= 0) {
            int colon = m.indexOf(": ", at);
            if (colon > 0) {
                return m.substring(colon + 2);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return source;
    }
}
