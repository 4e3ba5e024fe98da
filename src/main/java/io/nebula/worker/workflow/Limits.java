package io.nebula.worker.workflow;

import java.time.Duration;

/**
 * Size and cost bounds for definitions and expressions. Each one keeps a single workflow from
 * exhausting a worker's memory or CPU; each breach is reported with the limit's value and, where
 * it is a setting, the setting's key.
 *
 * @param maxNodes nodes per workflow
 * @param maxDepth nesting depth of the definition's JSON (objects and arrays)
 * @param maxExpressionLength characters in one expression
 * @param maxDefinitionBytes size of the definition text (UTF-8)
 * @param maxValueBytes size of one evaluated value (a resolved parameter, a condition, the
 *     output) as JSON
 * @param maxIterations comprehension iterations (map, filter, exists, all) in one evaluation,
 *     nested ones counted together
 * @param maxBuiltBytes bytes the expressions of one evaluation may build while they run (string,
 *     bytes and list concatenation, conversions), counted before each value is built
 * @param evaluationTimeout longest one evaluation (a node's condition, its params, the output) may
 *     run; checked between every step of the evaluation and inside regular expression matching
 * @param maxRegexSize largest regular expression, in RE2 instructions; estimated from the pattern
 *     before it is compiled, so a pattern whose repetitions multiply is refused without building it
 * @param maxExpressions expressions in one definition
 * @param compileTimeout longest time compiling one definition's expressions may take
 * @param cacheBytes compiled definitions kept per process, weighed by their text size
 * @param maxValues JSON values one evaluated value may hold (objects, arrays and scalars each
 *     count one), charged while it is converted; the same number bounds what one execution holds
 *     ({@code limits.execution_values})
 */
public record Limits(
        int maxNodes,
        int maxDepth,
        int maxExpressionLength,
        int maxDefinitionBytes,
        int maxValueBytes,
        int maxIterations,
        long maxBuiltBytes,
        Duration evaluationTimeout,
        int maxRegexSize,
        int maxExpressions,
        Duration compileTimeout,
        long cacheBytes,
        long maxValues) {

    public Limits {
        if (maxNodes < 1
                || maxDepth < 4
                || maxExpressionLength < 16
                || maxDefinitionBytes < 256
                || maxValueBytes < 256
                || maxIterations < 1
                || maxBuiltBytes < 1
                || !evaluationTimeout.isPositive()
                || maxRegexSize < 1
                || maxExpressions < 1
                || !compileTimeout.isPositive()
                || cacheBytes < 1
                || maxValues < 1) {
            throw new IllegalArgumentException("limits too small: " + this);
        }
    }

    /** The setting for {@link #maxBuiltBytes()}, as messages name it. */
    public static final String BUILT_BYTES_KEY = "limits.expression_bytes";
    /** The setting for {@link #evaluationTimeout()}. */
    public static final String EVALUATION_TIMEOUT_KEY = "limits.expression_timeout_ms";
    /** The setting for {@link #maxRegexSize()}. */
    public static final String REGEX_SIZE_KEY = "limits.regex_program_size";
    /** The setting for {@link #maxExpressions()}. */
    public static final String EXPRESSIONS_KEY = "limits.expressions_per_definition";
    /** The setting for {@link #compileTimeout()}. */
    public static final String COMPILE_TIMEOUT_KEY = "limits.compile_timeout_ms";
    /** The setting for {@link #maxValues()}. */
    public static final String VALUES_KEY = "limits.execution_values";
    /** The setting for {@link #cacheBytes()}. */
    public static final String CACHE_BYTES_KEY = "limits.definition_cache_bytes";

    /**
     * 1,000 nodes, depth 64, 4,096-character expressions, 1 MiB definitions and values, 10,000
     * iterations; 4 MiB built and 1 s per evaluation, regular expressions of 5,000 instructions,
     * 10,000 expressions and 10 s of compiling per definition, 32 MiB of compiled definitions,
     * 100,000 JSON values per evaluated value (the defaults of the {@code [limits]} settings).
     */
    public static Limits defaults() {
        return new Limits(
                1_000,
                64,
                4_096,
                1024 * 1024,
                1024 * 1024,
                10_000,
                4L * 1024 * 1024,
                Duration.ofSeconds(1),
                5_000,
                10_000,
                Duration.ofSeconds(10),
                32L * 1024 * 1024,
                100_000);
    }

    public Limits withMaxNodes(int n) {
        return new Limits(
                n,
                maxDepth,
                maxExpressionLength,
                maxDefinitionBytes,
                maxValueBytes,
                maxIterations,
                maxBuiltBytes,
                evaluationTimeout,
                maxRegexSize,
                maxExpressions,
                compileTimeout,
                cacheBytes,
                maxValues);
    }

    public Limits withMaxIterations(int n) {
        return new Limits(
                maxNodes,
                maxDepth,
                maxExpressionLength,
                maxDefinitionBytes,
                maxValueBytes,
                n,
                maxBuiltBytes,
                evaluationTimeout,
                maxRegexSize,
                maxExpressions,
                compileTimeout,
                cacheBytes,
                maxValues);
    }

    public Limits withMaxValueBytes(int n) {
        return new Limits(
                maxNodes,
                maxDepth,
                maxExpressionLength,
                maxDefinitionBytes,
                n,
                maxIterations,
                maxBuiltBytes,
                evaluationTimeout,
                maxRegexSize,
                maxExpressions,
                compileTimeout,
                cacheBytes,
                maxValues);
    }

    /** These limits with the evaluation budgets given: bytes built and the deadline. */
    public Limits withEvaluation(long builtBytes, Duration timeout) {
        return new Limits(
                maxNodes,
                maxDepth,
                maxExpressionLength,
                maxDefinitionBytes,
                maxValueBytes,
                maxIterations,
                builtBytes,
                timeout,
                maxRegexSize,
                maxExpressions,
                compileTimeout,
                cacheBytes,
                maxValues);
    }

    /** These limits with the compile budgets given: expressions per definition and the time. */
    public Limits withCompile(int expressions, Duration timeout) {
        return new Limits(
                maxNodes,
                maxDepth,
                maxExpressionLength,
                maxDefinitionBytes,
                maxValueBytes,
                maxIterations,
                maxBuiltBytes,
                evaluationTimeout,
                maxRegexSize,
                expressions,
                timeout,
                cacheBytes,
                maxValues);
    }

    public Limits withMaxRegexSize(int n) {
        return new Limits(
                maxNodes,
                maxDepth,
                maxExpressionLength,
                maxDefinitionBytes,
                maxValueBytes,
                maxIterations,
                maxBuiltBytes,
                evaluationTimeout,
                n,
                maxExpressions,
                compileTimeout,
                cacheBytes,
                maxValues);
    }

    public Limits withCacheBytes(long n) {
        return new Limits(
                maxNodes,
                maxDepth,
                maxExpressionLength,
                maxDefinitionBytes,
                maxValueBytes,
                maxIterations,
                maxBuiltBytes,
                evaluationTimeout,
                maxRegexSize,
                maxExpressions,
                compileTimeout,
                n,
                maxValues);
    }

    /** These limits with at most {@code n} JSON values in one evaluated value. */
    public Limits withMaxValues(long n) {
        return new Limits(
                maxNodes,
                maxDepth,
                maxExpressionLength,
                maxDefinitionBytes,
                maxValueBytes,
                maxIterations,
                maxBuiltBytes,
                evaluationTimeout,
                maxRegexSize,
                maxExpressions,
                compileTimeout,
                cacheBytes,
                n);
    }
}
