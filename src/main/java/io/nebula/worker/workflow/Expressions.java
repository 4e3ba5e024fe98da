package io.nebula.worker.workflow;

import com.google.common.primitives.UnsignedLong;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.extensions.CelListsExtensions;
import dev.cel.extensions.CelMathExtensions;
import dev.cel.extensions.CelStringExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The expression language: CEL with the standard functions and macros ({@code has}, {@code all},
 * {@code exists}, {@code exists_one}, {@code map}, {@code filter}), cel-java's maintained
 * extension libraries for strings, math and lists, and {@code sum(list)}, over four variables:
 * {@code input}, {@code nodes}, {@code execution} and {@code secrets} (read by name in a node's
 * params only, see {@link SecretReads}), plus {@code item} and {@code index} in the params of a
 * node with {@code map}. Nothing else is declared, so expressions
 * cannot reach Java classes, the environment or files; the only way out of an expression is its
 * value.
 *
 * <p>Of the lists extension, {@code lists.range(n)} is left out: it builds a list of any length
 * from one number. The strings and lists extensions charge what they build like the standard
 * functions do ({@link ChargedLibrary}). {@code sum} is ours because CEL has no fold: it adds a
 * list of numbers, integers exactly (an overflow is an error) and as a double once any element
 * is a double.
 *
 * <p>Cost is bounded per evaluation ({@link Evaluation}): a deadline, a budget of bytes built
 * (the functions that build values are replaced by counting ones, {@link BoundedFunctions}), a
 * budget of comprehension iterations (CEL has no other loops or recursion) and the size of the
 * values rendered. Regular expressions are refused above a size estimated before they are
 * compiled ({@link Regexes}); a literal pattern is checked here, at compile time. Compiling is
 * bounded per definition by {@link Compilation}.
 *
 * <p>Thread-safe: CEL's compiler and runtime are immutable once built.
 */
public final class Expressions {
    /**
     * How deep CEL's parser may nest one expression: each binary operator of a chain such as {@code
     * a + b + c}, each call and each parenthesis takes a level. CEL's own default, so a long but
     * flat concatenation is accepted while the parser and the evaluator, which recurse over the
     * tree, stay far from the end of a thread's stack.
     */
    static final int MAX_NESTING = 250;

    /** The problem of an expression nested deeper than the parser or CEL's tree walker allow. */
    static final String NESTED_TOO_DEEP = "it is nested more than " + MAX_NESTING
            + " levels deep (each operator of a chain, call, parenthesis and macro such as map() is a level;"
            + " a macro takes several)";

    /**
     * Why an expression did not compile; {@code column} is 1-based within the expression, or 0 for
     * a problem that has no place in it (its length, a budget, an oversized regular expression).
     * {@code syntax} tells a parse error from a type error (an unknown name, no matching overload).
     */
    record CompileError(String message, int column, boolean syntax) {
        CompileError(String message, int column) {
            this(message, column, false);
        }
    }

    /**
     * Either a compiled expression or the reason it failed; both {@code null} when it was not
     * compiled because the definition's compile budget ran out (reported once, elsewhere).
     */
    record Compiled(Expression expression, CelExpr tree, CelKind kind, CompileError error) {
        static final Compiled SKIPPED = new Compiled(null, null, null, null);

        Compiled(Expression expression, CompileError error) {
            this(expression, null, null, error);
        }
    }

    /**
     * CEL's compilers and runtime, built together on first use (see {@link #engine()}); {@code
     * itemCompiler} is {@code compiler} with {@code item} and {@code index} declared too, for a
     * map node's params.
     */
    private record Engine(CelCompiler compiler, CelCompiler itemCompiler, CelRuntime runtime) {}

    private final Regexes regexes;
    private final Limits limits;
    private volatile Engine engine;

    public Expressions(Limits limits) {
        this.limits = limits;
        this.regexes = new Regexes(limits.maxRegexSize());
    }

    /**
     * Builds CEL's environment the first time an expression is compiled: it loads over a thousand
     * classes (hundreds of milliseconds), which a process that never compiles an expression, or a
     * worker that becomes ready first and warms up beside it, need not wait for.
     */
    private Engine engine() {
        Engine e = engine;
        if (e == null) {
            synchronized (this) {
                e = engine;
                if (e == null) {
                    e = build();
                    engine = e;
                }
            }
        }
        return e;
    }

    /** Builds CEL's environment now if it is not built yet. */
    void prepare() {
        engine();
    }

    private Engine build() {
        CelOptions options = CelOptions.current()
                .comprehensionMaxIterations(limits.maxIterations())
                .maxExpressionCodePointSize(limits.maxExpressionLength())
                .maxParseRecursionDepth(MAX_NESTING)
                .evaluateCanonicalTypesToNativeValues(true)
                .enableHeterogeneousNumericComparisons(true)
                .build();
        CelStringExtensions strings = CelExtensions.strings();
        CelMathExtensions math = CelExtensions.math(options);
        CelListsExtensions lists =
                CelExtensions.lists(EnumSet.complementOf(EnumSet.of(CelListsExtensions.Function.RANGE)));
        CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(options)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addLibraries(strings, math, lists)
                .addFunctionDeclarations(CelFunctionDecl.newFunctionDeclaration(
                        "sum",
                        CelOverloadDecl.newGlobalOverload(
                                "sum_list",
                                "the sum of a list of numbers",
                                SimpleType.DYN,
                                ListType.create(SimpleType.DYN))))
                .addVar("input", SimpleType.DYN)
                .addVar("nodes", MapType.create(SimpleType.STRING, SimpleType.DYN))
                .addVar("execution", SimpleType.DYN)
                .addVar(SecretReads.VARIABLE, MapType.create(SimpleType.STRING, SimpleType.STRING))
                .build();
        CelCompiler itemCompiler = compiler.toCompilerBuilder()
                .addVar("item", SimpleType.DYN)
                .addVar("index", SimpleType.INT)
                .build();
        CelRuntime runtime = CelRuntimeFactory.standardCelRuntimeBuilder()
                .setOptions(options)
                .setStandardEnvironmentEnabled(false)
                .setStandardFunctions(BoundedFunctions.standard())
                .addFunctionBindings(BoundedFunctions.bindings(options, regexes))
                .addLibraries(new ChargedLibrary(strings), math, new ChargedLibrary(lists))
                .addFunctionBindings(CelFunctionBinding.from("sum_list", List.class, Expressions::sum))
                .build();
        return new Engine(compiler, itemCompiler, runtime);
    }

    /** {@code sum(list)}: integers add exactly, any double makes the sum a double. */
    private static Object sum(List<?> values) throws CelEvaluationException {
        long whole = 0;
        double real = 0;
        boolean isReal = false;
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (v instanceof Long l) {
                if (isReal) {
                    real += l;
                } else {
                    try {
                        whole = Math.addExact(whole, l);
                    } catch (ArithmeticException e) {
                        throw new CelEvaluationException("sum() overflowed the 64-bit integer range at index " + i);
                    }
                }
            } else if (v instanceof Double d) {
                if (!isReal) {
                    isReal = true;
                    real = whole;
                }
                real += d;
            } else if (v instanceof UnsignedLong u) {
                if (!isReal) {
                    isReal = true;
                    real = whole;
                }
                real += u.doubleValue();
            } else {
                throw new CelEvaluationException("sum() adds numbers, but the element at index " + i + " is "
                        + (v == null ? "null" : CelValues.typeName(v)));
            }
        }
        return isReal ? (Object) real : (Object) whole;
    }

    /**
     * Loads and exercises CEL once. Its first compile and evaluation take hundreds of milliseconds
     * (class loading, parser tables); a worker calls this at start so the first node does not pay.
     */
    public void warmUp() {
        Compiled c = compile("input.items.filter(i, i > 1).map(i, string(i) + '!').size() > 0"
                + " && 'a'.startsWith('a') && 'ab'.matches('^a')");
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
            // On a busy machine the first evaluation can exceed limits.expression_timeout_ms; the
            // classes are loaded all the same, which is what the warm-up is for.
        }
    }

    Limits limits() {
        return limits;
    }

    /** Parses and type-checks one expression; never throws for a bad expression. */
    Compiled compile(String source) {
        return compile(source, false);
    }

    /**
     * As {@link #compile(String)}; with {@code items}, {@code item} (the element) and {@code index}
     * (its position from 0) may be read too, as in the params of a node with {@code map}.
     */
    Compiled compile(String source, boolean items) {
        if (source.length() > limits.maxExpressionLength()) {
            return new Compiled(
                    null,
                    new CompileError(
                            "it is " + source.length() + " characters long, more than the limit of "
                                    + limits.maxExpressionLength(),
                            0));
        }
        Engine cel = engine();
        CelCompiler compiler = items ? cel.itemCompiler() : cel.compiler();
        CelValidationResult parsed = compiler.parse(source);
        if (parsed.hasError()) {
            return new Compiled(null, firstIssue(parsed, true));
        }
        try {
            CelValidationResult result = compiler.check(parsed.getAst());
            if (result.hasError()) {
                return new Compiled(null, firstIssue(result, false));
            }
            CelAbstractSyntaxTree ast = result.getAst();
            Optional<String> regex = oversizedLiteralRegex(ast);
            if (regex.isPresent()) {
                return new Compiled(null, new CompileError(regex.get(), 0));
            }
            return new Compiled(
                    new Expression(source, cel.runtime().createProgram(ast), limits),
                    ast.getExpr(),
                    ast.getResultType().kind(),
                    null);
        } catch (dev.cel.common.CelValidationException | CelEvaluationException e) {
            return new Compiled(null, new CompileError(e.getMessage(), 0));
        } catch (IllegalStateException e) {
            // CEL's tree walker stops at its own depth, which nested comprehensions reach before the
            // parser's limit does.
            return new Compiled(null, new CompileError(NESTED_TOO_DEEP, 0));
        }
    }

    private static CompileError firstIssue(CelValidationResult result, boolean syntax) {
        CelIssue issue = result.getErrors().get(0);
        int column = issue.getSourceLocation().getColumn() + 1;
        return new CompileError(issue.getMessage(), Math.max(column, 1), syntax);
    }

    /** The problem with the first {@code matches} whose pattern is a literal too large to compile. */
    private Optional<String> oversizedLiteralRegex(CelAbstractSyntaxTree ast) {
        return CelNavigableAst.fromAst(ast)
                .getRoot()
                .allNodes()
                .map(CelNavigableExpr::expr)
                .filter(x -> x.getKind() == CelExpr.ExprKind.Kind.CALL
                        && x.call().function().equals("matches"))
                .map(x -> {
                    var args = x.call().args();
                    CelExpr pattern = args.isEmpty() ? null : args.get(args.size() - 1);
                    if (pattern == null
                            || pattern.getKind() != CelExpr.ExprKind.Kind.CONSTANT
                            || pattern.constant().getKind() != CelConstant.Kind.STRING_VALUE) {
                        return null;
                    }
                    return regexes.check(pattern.constant().stringValue());
                })
                .filter(java.util.Objects::nonNull)
                .findFirst();
    }
}
