package io.nebula.worker.workflow;

import java.util.HashMap;
import java.util.Map;

/**
 * Compiling the expressions of one definition, within its budgets: at most {@link
 * Limits#maxExpressions()} expressions and {@link Limits#compileTimeout()} of compile time. An
 * expression written several times is compiled once (a compiled program is immutable and shared),
 * so repetition costs a lookup. When a budget runs out, the expression at hand gets the error
 * naming it and every later one is skipped without a message of its own, so a definition of a
 * hundred thousand expressions fails fast with one problem instead of a hundred thousand.
 *
 * <p>Not thread-safe: one validation uses it from one thread.
 */
final class Compilation {
    private final Expressions expressions;
    private final Limits limits;
    private long deadline;
    private boolean prepared;
    private long lastYield;
    private final Map<String, Expressions.Compiled> bySource = new HashMap<>();
    private int count;
    private boolean exhausted;

    Compilation(Expressions expressions) {
        this.expressions = expressions;
        this.limits = expressions.limits();
        this.lastYield = System.nanoTime();
        this.deadline = lastYield + limits.compileTimeout().toNanos();
    }

    /**
     * The expression compiled; its error; or {@link Expressions.Compiled#SKIPPED} once a budget
     * has run out and been reported.
     */
    Expressions.Compiled compile(String source) {
        return compile(source, false);
    }

    /** As {@link #compile(String)}, with {@code item} and {@code index} bound when {@code items}. */
    Expressions.Compiled compile(String source, boolean items) {
        if (exhausted) {
            return Expressions.Compiled.SKIPPED;
        }
        count++;
        if (count > limits.maxExpressions()) {
            return exhaust("the definition has more than " + limits.maxExpressions() + " expressions ("
                    + Limits.EXPRESSIONS_KEY + ")");
        }
        String key = items ? "item\u0000" + source : source;
        Expressions.Compiled known = bySource.get(key);
        if (known != null) {
            return known;
        }
        long now = System.nanoTime();
        if (!prepared) {
            // CEL's environment is built once per process (hundreds of milliseconds, seconds on a
            // busy machine); that is not this definition's compile time.
            prepared = true;
            expressions.prepare();
            long built = System.nanoTime();
            deadline += built - now;
            now = built;
        }
        if (now - lastYield > Evaluation.YIELD_EVERY_NANOS) {
            lastYield = now; // let other virtual threads run, as a long evaluation does
            Thread.yield();
        }
        if (now - deadline > 0) {
            return exhaust("compiling the definition's expressions took longer than "
                    + limits.compileTimeout().toMillis() + " ms (" + Limits.COMPILE_TIMEOUT_KEY + "); "
                    + (count - 1) + (count - 1 == 1 ? " was compiled" : " were compiled"));
        }
        Expressions.Compiled c = expressions.compile(source, items);
        bySource.put(key, c);
        return c;
    }

    /** How many expressions the definition has had so far. */
    int count() {
        return count;
    }

    private Expressions.Compiled exhaust(String message) {
        exhausted = true;
        return new Expressions.Compiled(null, new Expressions.CompileError(message, 0));
    }
}
