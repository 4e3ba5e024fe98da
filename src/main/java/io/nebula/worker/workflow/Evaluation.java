package io.nebula.worker.workflow;

import dev.cel.common.ast.CelExpr;
import dev.cel.runtime.CelEvaluationListener;

/**
 * The budgets of one evaluation: a node's {@code when}, its {@code params}, or the {@code
 * output} mapping, with every expression inside it. Three are counted here:
 *
 * <ul>
 *   <li>a deadline ({@link Limits#evaluationTimeout()}), checked by CEL's evaluation listener
 *       every few steps and by {@link #watch(String)} inside regular expression matching, so it
 *       is overrun by at most the cost of a few steps over values the budgets bound;
 *   <li>bytes built ({@link Limits#maxBuiltBytes()}), charged by the functions that make new
 *       strings, bytes or lists ({@link BoundedFunctions}) before they make them;
 *   <li>the JSON size of the values rendered ({@link Limits#maxValueBytes()}) and the number of
 *       JSON values in them ({@link Limits#maxValues()}), charged while they are converted
 *       ({@link CelValues#toJson}).
 * </ul>
 *
 * <p>The first budget exceeded is remembered: CEL may swallow an error inside {@code ||}, {@code
 * &&} or a macro, but the evaluation still fails with that budget's message. One evaluation runs
 * on one thread; {@link #current()} is how CEL's function bindings, which are shared, find it.
 */
final class Evaluation implements CelEvaluationListener {
    private static final ThreadLocal<Evaluation> CURRENT = new ThreadLocal<>();
    /** The evaluation listener looks at the clock once per this many steps. */
    private static final int STEPS_PER_CHECK = 16;
    /** {@link #watch} checks the clock once per this many characters read. */
    private static final int WATCH_STRIDE = 4_096;

    /** How long an evaluation runs before it lets other threads have the processor. */
    static final long YIELD_EVERY_NANOS = 10_000_000;

    private final Limits limits;
    private final long deadline;
    private long lastYield;
    private int steps;
    private long valueBytes;
    private long values;
    private long builtBytes;
    private String breach;

    Evaluation(Limits limits) {
        this.limits = limits;
        this.lastYield = System.nanoTime();
        this.deadline = lastYield + limits.evaluationTimeout().toNanos();
    }

    /** The evaluation running on this thread, or {@code null}. */
    static Evaluation current() {
        return CURRENT.get();
    }

    /** Makes this the current evaluation; returns the one it replaces, for {@link #exit}. */
    Evaluation enter() {
        Evaluation outer = CURRENT.get();
        CURRENT.set(this);
        return outer;
    }

    static void exit(Evaluation outer) {
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
    }

    /** Charges {@code n} bytes of JSON output; {@code expression} names what produced them. */
    void spend(long n, String expression) throws EvaluationException {
        valueBytes += n;
        if (valueBytes > limits.maxValueBytes()) {
            throw new EvaluationException(
                    expression, "value is larger than the limit of " + limits.maxValueBytes() + " bytes");
        }
    }

    /** Counts one JSON value of output; {@code expression} names what produced it. */
    void value(String expression) throws EvaluationException {
        if (++values > limits.maxValues()) {
            throw new EvaluationException(
                    expression,
                    "value holds more than " + limits.maxValues() + " JSON values (" + Limits.VALUES_KEY + ")");
        }
    }

    /**
     * Charges {@code n} bytes about to be built.
     *
     * @throws Exceeded when the budget would be exceeded; nothing should be built then
     */
    void build(long n) {
        builtBytes += n;
        if (builtBytes > limits.maxBuiltBytes()) {
            throw exceeded("the evaluation would build more than " + limits.maxBuiltBytes() + " bytes ("
                    + Limits.BUILT_BYTES_KEY + ")");
        }
    }

    /**
     * Checks the deadline, and lets other threads run now and then: a virtual thread keeps its
     * carrier until it blocks, so a long evaluation on one would otherwise hold back every other
     * virtual thread of the worker (heartbeats included) for as long as it runs.
     *
     * @throws Exceeded when the deadline has passed
     */
    void checkDeadline() {
        long now = System.nanoTime();
        if (now - deadline > 0) {
            throw exceeded("the evaluation took longer than "
                    + limits.evaluationTimeout().toMillis() + " ms (" + Limits.EVALUATION_TIMEOUT_KEY + ")");
        }
        if (now - lastYield > YIELD_EVERY_NANOS) {
            lastYield = now;
            Thread.yield();
        }
    }

    /** Records a budget exceeded by something outside this class (a regular expression). */
    Exceeded exceeded(String message) {
        if (breach == null) {
            breach = message;
        }
        return new Exceeded(message);
    }

    /** The first budget exceeded, or {@code null}. */
    String breach() {
        return breach;
    }

    /**
     * Called by CEL after every step; looks at the clock every {@value #STEPS_PER_CHECK} steps,
     * since a step is cheap (every value it touches is bounded) and the clock costs more than it.
     */
    @Override
    public void callback(CelExpr expr, Object evaluatedResult) {
        if (++steps % STEPS_PER_CHECK == 0) {
            checkDeadline();
        }
    }

    /** {@code s} as a sequence that checks the deadline while a long match reads it. */
    CharSequence watch(String s) {
        return s.length() <= WATCH_STRIDE ? s : new Watched(s);
    }

    /** A budget was exceeded; unchecked because CEL's listener may not throw checked exceptions. */
    static final class Exceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Exceeded(String message) {
            super(message, null, false, false);
        }
    }

    private final class Watched implements CharSequence {
        private final String s;
        private int reads;

        Watched(String s) {
            this.s = s;
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public char charAt(int index) {
            if (++reads == WATCH_STRIDE) {
                reads = 0;
                checkDeadline();
            }
            return s.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return s.subSequence(start, end);
        }

        @Override
        public String toString() {
            return s;
        }
    }
}
