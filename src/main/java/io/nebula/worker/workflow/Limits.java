package io.nebula.worker.workflow;

/**
 * Size and cost bounds for definitions and expressions. Each one keeps a single workflow from
 * exhausting a worker's memory or CPU; each breach is reported with the limit's value.
 *
 * @param maxNodes nodes per workflow
 * @param maxDepth nesting depth of the definition's JSON (objects and arrays)
 * @param maxExpressionLength characters in one expression
 * @param maxDefinitionBytes size of the definition text (UTF-8)
 * @param maxValueBytes size of one evaluated value (a resolved parameter, a condition, the
 *     output) as JSON
 * @param maxIterations comprehension iterations (map, filter, exists, all) in one evaluation,
 *     nested ones counted together
 */
public record Limits(
        int maxNodes,
        int maxDepth,
        int maxExpressionLength,
        int maxDefinitionBytes,
        int maxValueBytes,
        int maxIterations) {

    public Limits {
        if (maxNodes < 1
                || maxDepth < 4
                || maxExpressionLength < 16
                || maxDefinitionBytes < 256
                || maxValueBytes < 256
                || maxIterations < 1) {
            throw new IllegalArgumentException("limits too small: " + this);
        }
    }

    /** 1,000 nodes, depth 64, 4,096-character expressions, 1 MiB definitions and values. */
    public static Limits defaults() {
        return new Limits(1_000, 64, 4_096, 1024 * 1024, 1024 * 1024, 10_000);
    }

    public Limits withMaxNodes(int n) {
        return new Limits(n, maxDepth, maxExpressionLength, maxDefinitionBytes, maxValueBytes, maxIterations);
    }

    public Limits withMaxIterations(int n) {
        return new Limits(maxNodes, maxDepth, maxExpressionLength, maxDefinitionBytes, maxValueBytes, n);
    }

    public Limits withMaxValueBytes(int n) {
        return new Limits(maxNodes, maxDepth, maxExpressionLength, maxDefinitionBytes, n, maxIterations);
    }
}
