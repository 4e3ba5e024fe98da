package io.nebula.worker.workflow;

import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the places where an expression reads an input property that the input schema forbids
 * ({@code additionalProperties: false} without that property), so the mistake is reported when the
 * workflow is validated rather than as a missing key in the middle of an execution, after earlier
 * nodes already ran.
 *
 * <p>Walks the checked expression tree: {@code input.a.b}, {@code input['a']}, list elements
 * ({@code input.items[0].price}) and the variables of macros over lists ({@code
 * input.items.map(i, i.price)}). Presence tests ({@code has(input.x)}) never fail and are not
 * reported; a key computed at run time is not known here and is left to the run-time check.
 */
final class InputReads {
    /** A value whose shape the schema describes, and how it was reached, for messages. */
    private record Shape(InputSchema schema, String path) {}

    private final InputSchema root;
    private final List<String> problems = new ArrayList<>();

    private InputReads(InputSchema root) {
        this.root = root;
    }

    /** One message per forbidden read in {@code expr}; empty when there is no schema or none. */
    static List<String> forbidden(CelExpr expr, InputSchema schema) {
        if (schema == null || expr == null) {
            return List.of();
        }
        InputReads r = new InputReads(schema);
        r.shape(expr, Map.of());
        return r.problems;
    }

    /** Visits {@code e} and returns the schema of its value, or {@code null} when unknown. */
    private Shape shape(CelExpr e, Map<String, Shape> scope) {
        switch (e.getKind()) {
            case IDENT -> {
                String name = e.ident().name();
                if (scope.containsKey(name)) {
                    return scope.get(name);
                }
                return name.equals("input") ? new Shape(root, "input") : null;
            }
            case SELECT -> {
                Shape operand = shape(e.select().operand(), scope);
                return e.select().testOnly()
                        ? null
                        : property(operand, e.select().field());
            }
            case CALL -> {
                var call = e.call();
                call.target().ifPresent(t -> shape(t, scope));
                List<Shape> args = new ArrayList<>();
                for (CelExpr a : call.args()) {
                    args.add(shape(a, scope));
                }
                if (call.function().equals("_[_]") && call.args().size() == 2) {
                    CelExpr index = call.args().get(1);
                    if (index.getKind() == CelExpr.ExprKind.Kind.CONSTANT
                            && index.constant().getKind() == CelConstant.Kind.STRING_VALUE) {
                        return property(args.get(0), index.constant().stringValue());
                    }
                    return element(args.get(0));
                }
                return null;
            }
            case COMPREHENSION -> {
                var c = e.comprehension();
                Shape range = shape(c.iterRange(), scope);
                shape(c.accuInit(), scope);
                Map<String, Shape> inner = new HashMap<>(scope);
                // Over a list the first variable is the element (with two variables, the index and
                // then the element); over a map it is the key. Either way it shadows outer names.
                boolean two = c.iterVar2() != null && !c.iterVar2().isEmpty();
                inner.put(c.iterVar(), two ? null : element(range));
                if (two) {
                    inner.put(c.iterVar2(), element(range));
                }
                inner.put(c.accuVar(), null);
                shape(c.loopCondition(), inner);
                shape(c.loopStep(), inner);
                shape(c.result(), inner);
                return null;
            }
            case LIST -> {
                e.list().elements().forEach(x -> shape(x, scope));
                return null;
            }
            case MAP -> {
                e.map().entries().forEach(x -> {
                    shape(x.key(), scope);
                    shape(x.value(), scope);
                });
                return null;
            }
            case STRUCT -> {
                e.struct().entries().forEach(x -> shape(x.value(), scope));
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private Shape property(Shape of, String name) {
        if (of == null) {
            return null;
        }
        InputSchema child = of.schema().property(name);
        String path = of.path() + (isIdentifier(name) ? "." + name : "['" + name + "']");
        if (child != null) {
            return new Shape(child, path);
        }
        if (of.schema().closed()) {
            List<String> allowed = of.schema().propertyNames();
            problems.add("reads " + path + ", which the input schema forbids (additionalProperties: false at "
                    + of.path() + "; allowed: " + (allowed.isEmpty() ? "none" : String.join(", ", allowed)) + ")");
        }
        return null;
    }

    private static Shape element(Shape list) {
        if (list == null || list.schema().items() == null) {
            return null;
        }
        return new Shape(list.schema().items(), list.path() + "[]");
    }

    private static boolean isIdentifier(String s) {
        return s.matches("[A-Za-z_][A-Za-z0-9_]*");
    }
}
