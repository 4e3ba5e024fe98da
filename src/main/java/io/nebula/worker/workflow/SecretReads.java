package io.nebula.worker.workflow;

import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import io.nebula.worker.secret.SecretNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The secrets a template's expressions read. A secret is read by a name written in the workflow,
 * {@code secrets.NAME} or {@code secrets['NAME']}, so the names a node needs are known when the
 * definition is validated: a submit can check them, and a node resolves exactly those, just before
 * it runs. Anything else ({@code secrets} as a whole, a computed name, {@code has(secrets.X)}) is a
 * problem, as is any read outside a node's params ({@link #refusedIn}): a condition or the output
 * mapping would put what it reads where it is stored or shown.
 *
 * <p>Not thread-safe: one validation uses it from one thread.
 */
final class SecretReads {
    /** The variable expressions read secrets through. */
    static final String VARIABLE = "secrets";

    private final String refusal;
    private final Set<String> names = new TreeSet<>();

    private SecretReads(String refusal) {
        this.refusal = refusal;
    }

    /** Collects the names read in a node's params. */
    static SecretReads collecting() {
        return new SecretReads(null);
    }

    /** Refuses every read, saying where it was: {@code "a node's when"}, {@code "the output mapping"}. */
    static SecretReads refusedIn(String where) {
        return new SecretReads("reads secrets in " + where + "; only a node's params may read them");
    }

    /** The names collected so far, sorted. */
    Set<String> names() {
        return Set.copyOf(names);
    }

    /** One message per problem with the secret reads of {@code expr}; collects the names read. */
    List<String> check(CelExpr expr) {
        List<String> problems = new ArrayList<>();
        if (expr != null) {
            visit(expr, Set.of(), problems);
        }
        return problems;
    }

    private void visit(CelExpr e, Set<String> shadowed, List<String> problems) {
        switch (e.getKind()) {
            case IDENT -> {
                if (isSecrets(e, shadowed)) {
                    problem(
                            problems,
                            "uses secrets as a whole; read one secret by name: secrets.NAME or" + " secrets['NAME']");
                }
            }
            case SELECT -> {
                CelExpr operand = e.select().operand();
                if (isSecrets(operand, shadowed)) {
                    if (e.select().testOnly()) {
                        problem(
                                problems,
                                "tests has(secrets." + e.select().field() + "); a secret the worker"
                                        + " cannot resolve fails its node, so read it as secrets."
                                        + e.select().field());
                    } else {
                        read(e.select().field(), problems);
                    }
                } else {
                    visit(operand, shadowed, problems);
                }
            }
            case CALL -> {
                var call = e.call();
                if (call.function().equals("_[_]")
                        && call.args().size() == 2
                        && isSecrets(call.args().get(0), shadowed)) {
                    CelExpr index = call.args().get(1);
                    if (index.getKind() == CelExpr.ExprKind.Kind.CONSTANT
                            && index.constant().getKind() == CelConstant.Kind.STRING_VALUE) {
                        read(index.constant().stringValue(), problems);
                    } else {
                        problem(
                                problems,
                                "reads a secret by a computed name; write the name: secrets.NAME"
                                        + " or secrets['NAME']");
                        visit(index, shadowed, problems);
                    }
                    return;
                }
                call.target().ifPresent(t -> visit(t, shadowed, problems));
                call.args().forEach(a -> visit(a, shadowed, problems));
            }
            case COMPREHENSION -> {
                var c = e.comprehension();
                visit(c.iterRange(), shadowed, problems);
                visit(c.accuInit(), shadowed, problems);
                Set<String> inner = new java.util.HashSet<>(shadowed);
                inner.add(c.iterVar());
                if (c.iterVar2() != null && !c.iterVar2().isEmpty()) {
                    inner.add(c.iterVar2());
                }
                inner.add(c.accuVar());
                visit(c.loopCondition(), inner, problems);
                visit(c.loopStep(), inner, problems);
                visit(c.result(), inner, problems);
            }
            case LIST -> e.list().elements().forEach(x -> visit(x, shadowed, problems));
            case MAP ->
                e.map().entries().forEach(x -> {
                    visit(x.key(), shadowed, problems);
                    visit(x.value(), shadowed, problems);
                });
            case STRUCT -> e.struct().entries().forEach(x -> visit(x.value(), shadowed, problems));
            default -> {}
        }
    }

    private static boolean isSecrets(CelExpr e, Set<String> shadowed) {
        return e.getKind() == CelExpr.ExprKind.Kind.IDENT
                && e.ident().name().equals(VARIABLE)
                && !shadowed.contains(VARIABLE);
    }

    private void read(String name, List<String> problems) {
        if (!SecretNames.valid(name)) {
            problems.add("reads secret '" + name + "', which is not a valid secret name (" + SecretNames.ALLOWED + ")");
            return;
        }
        if (refusal != null) {
            problems.add(refusal);
            return;
        }
        names.add(name);
    }

    private void problem(List<String> problems, String message) {
        problems.add(refusal != null ? refusal : message);
    }
}
