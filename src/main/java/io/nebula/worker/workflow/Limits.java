package io.nebula.worker.workflow;

import io.nebula.worker.config.WorkerConfig;
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
        long cacheBytes) {

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
                || cacheBytes < 1) {
            throw new IllegalArgumentException("limits too small: " + this);
        }
    }

    /**
     * 1,000 nodes, depth 64, 4,096-character expressions, 1 MiB definitions and values, 10,000
     * iterations, and the {@code [limits]} defaults of {@link WorkerConfig.Limits#defaults()}.
     */
    public static Limits defaults() {
        return of(WorkerConfig.Limits.defaults(), 1_000);
    }

    /** The limits a worker configured with {@code c} and {@code maxNodes} applies. */
    public static Limits of(WorkerConfig.Limits c, int maxNodes) {
        return new Limits(
                maxNodes,
                64,
                4_096,
                1024 * 1024,
                1024 * 1024,
                10_000,
                c.expressionBytes(),
                c.expressionTimeout(),
                c.regexProgramSize(),
                c.expressionsPerDefinition(),
                c.compileTimeout(),
                c.definitionCacheBytes());
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
                cacheBytes);
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
                cacheBytes);
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
                cacheBytes);
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
                cacheBytes);
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
                cacheBytes);
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
                cacheBytes);
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
                n);
    }
}
