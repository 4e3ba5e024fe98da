package io.nebula.worker.workflow;

import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.Map;

/**
 * The expression language: CEL with the standard functions and macros ({@code has}, {@code all},
 * {@code exists}, {@code exists_one}, {@code map}, {@code filter}) over three variables: {@code
 * input}, {@code nodes} and {@code execution}. Nothing else is declared, so expressions cannot
 * reach Java classes, the environment or files; the only way out of an expression is its value.
 *
 * <p>Cost is bounded by the expression length (checked before parsing) and by a budget of
 * comprehension iterations per evaluation (CEL has no other loops or recursion). Value size is
 * bounded when values are converted back to JSON ({@link CelValues}).
 *
 * <p>Thread-safe: CEL's compiler and runtime are immutable once built.
 */
public final class Expressions {
    /** Why an expression did not compile; {@code column} is 1-based within the expression. */
    record CompileError(String message, int column) {}

    /** Either a compiled expression or the reason it failed. */
    record Compiled(Expression expression, CompileError error) {}

    private final CelCompiler compiler;
    private final CelRuntime runtime;
    private final Limits limits;

    public Expressions(Limits limits) {
        this.limits = limits;
        CelOptions options = CelOptions.current()
                .comprehensionMaxIterations(limits.maxIterations())
                .maxExpressionCodePointSize(limits.maxExpressionLength())
                .maxParseRecursionDepth(limits.maxDepth())
                .evaluateCanonicalTypesToNativeValues(true)
                .enableHeterogeneousNumericComparisons(true)
                .build();
        this.compiler = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(options)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addVar("input", SimpleType.DYN)
                .addVar("nodes", MapType.create(SimpleType.STRING, SimpleType.DYN))
                .addVar("execution", SimpleType.DYN)
                .build();
        this.runtime = CelRuntimeFactory.standardCelRuntimeBuilder()
                .setOptions(options)
                .build();
    }

    /**
     * Loads and exercises CEL once. Its first compile and evaluation take hundreds of milliseconds
     * (class loading, parser tables); a worker calls this at start so the first node does not pay.
     */
    public static void warmUp() {
        Expressions e = new Expressions(Limits.defaults());
        Compiled c =
                e.compile("input.items.filter(i, i > 1).map(i, string(i) + '!').size() > 0 && 'a'.startsWith('a')");
        try {
            c.expression()
                    .evaluate(Map.of(
                            "input",
                            Map.of("items", java.util.List.of(1L, 2L)),
                            "nodes",
                            Map.of(),
                            "execution",
                            Map.of()));
        } catch (EvaluationException ex) {
            throw new IllegalStateException("CEL warm-up failed: " + ex.getMessage(), ex);
        }
    }

    Limits limits() {
        return limits;
    }

    /** Parses and type-checks one expression; never throws for a bad expression. */
    Compiled compile(String source) {
        if (source.length() > limits.maxExpressionLength()) {
            return new Compiled(
                    null,
                    new CompileError(
                            "expression is " + source.length() + " characters, more than the limit of "
                                    + limits.maxExpressionLength(),
                            1));
        }
        CelValidationResult result = compiler.compile(source);
        if (result.hasError()) {
            CelIssue issue = result.getErrors().get(0);
            int column = issue.getSourceLocation().getColumn() + 1;
            return new Compiled(null, new CompileError(issue.getMessage(), Math.max(column, 1)));
        }
        try {
            return new Compiled(new Expression(source, runtime.createProgram(result.getAst())), null);
        } catch (dev.cel.common.CelValidationException | CelEvaluationException e) {
            return new Compiled(null, new CompileError(e.getMessage(), 1));
        }
    }
}
