package io.nebula.worker.workflow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON value from a definition (node parameters, the output mapping) with its expressions
 * compiled. Rendering walks the template once and never scans the values expressions produce, so
 * a value is never evaluated twice, whatever it contains.
 *
 * <p>Strings: exactly {@code "${{ expr }}"} renders to the expression's typed value; a string with
 * {@code ${{ expr }}} parts among text renders to a string (strings inserted as they are, other
 * values as JSON text). Object keys are never evaluated.
 */
sealed interface Template {
    /** Renders the template; {@code budget} bounds the size of everything rendered. */
    JsonNode render(Map<String, ?> vars, Evaluation budget) throws EvaluationException;

    /**
     * A value with no expressions inside: rendered as it is. {@code size} is its JSON length,
     * measured once at compile time rather than on every render.
     */
    record Literal(JsonNode value, int size) implements Template {
        Literal(JsonNode value) {
            this(value, value.toString().length());
        }

        @Override
        public JsonNode render(Map<String, ?> vars, Evaluation budget) throws EvaluationException {
            budget.spend(size, "(literal)");
            return value;
        }
    }

    /** Renders with variables built only when the template has expressions to evaluate. */
    static JsonNode render(Template t, Supplier<Map<String, ?>> vars, Evaluation budget) throws EvaluationException {
        return t.render(t instanceof Literal ? Map.of() : vars.get(), budget);
    }

    /** A string that is exactly one expression: rendered to that expression's value. */
    record Whole(Expression expression) implements Template {
        @Override
        public JsonNode render(Map<String, ?> vars, Evaluation budget) throws EvaluationException {
            return CelValues.toJson(expression.evaluate(vars, budget), budget, expression.quoted());
        }
    }

    /** A string mixing text and expressions; {@code parts} holds {@code String}s and {@link Expression}s. */
    record Interpolated(List<Object> parts) implements Template {
        @Override
        public JsonNode render(Map<String, ?> vars, Evaluation budget) throws EvaluationException {
            StringBuilder b = new StringBuilder();
            for (Object part : parts) {
                if (part instanceof Expression e) {
                    JsonNode v = CelValues.toJson(e.evaluate(vars, budget), budget, e.quoted());
                    b.append(v.isString() ? v.asString() : v.toString());
                } else {
                    b.append((String) part);
                }
            }
            budget.spend(b.length(), "(interpolated string)");
            return JsonNodeFactory.instance.stringNode(b.toString());
        }
    }

    /** An object with at least one expression somewhere inside. */
    record Obj(Map<String, Template> fields) implements Template {
        @Override
        public JsonNode render(Map<String, ?> vars, Evaluation budget) throws EvaluationException {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, Template> e : fields.entrySet()) {
                o.set(e.getKey(), e.getValue().render(vars, budget));
            }
            return o;
        }
    }

    /** An array with at least one expression somewhere inside. */
    record Arr(List<Template> items) implements Template {
        @Override
        public JsonNode render(Map<String, ?> vars, Evaluation budget) throws EvaluationException {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            for (Template t : items) {
                a.add(t.render(vars, budget));
            }
            return a;
        }
    }

    /** Receives compile problems with the JSON pointer (relative to the template root) they concern. */
    @FunctionalInterface
    interface ProblemSink {
        void report(String pointer, String message);
    }

    /**
     * Compiles {@code value}; problems go to {@code sink} and the result is then a literal. Reports
     * expressions that read an input property {@code schema} forbids (see {@link InputReads}; {@code
     * schema} may be null), and gives every secret read to {@code secrets}, which collects or
     * refuses it (see {@link SecretReads}).
     */
    static Template compile(
            JsonNode value, Compilation expressions, InputSchema schema, SecretReads secrets, ProblemSink sink) {
        return compile(value, "", expressions, schema, secrets, false, sink);
    }

    /**
     * As {@link #compile(JsonNode, Compilation, InputSchema, SecretReads, ProblemSink)}, with {@code
     * item} and {@code index} bound when {@code items} (the params of a node with {@code map}).
     */
    static Template compile(
            JsonNode value,
            Compilation expressions,
            InputSchema schema,
            SecretReads secrets,
            boolean items,
            ProblemSink sink) {
        return compile(value, "", expressions, schema, secrets, items, sink);
    }

    private static Template compile(
            JsonNode value,
            String pointer,
            Compilation expressions,
            InputSchema schema,
            SecretReads secrets,
            boolean items,
            ProblemSink sink) {
        if (value == null) {
            return new Literal(JsonNodeFactory.instance.nullNode());
        }
        if (value.isString()) {
            return compileString(value.asString(), pointer, expressions, schema, secrets, items, sink, value);
        }
        if (value.isObject()) {
            Map<String, Template> fields = new LinkedHashMap<>();
            boolean dynamic = false;
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                Template t = compile(
                        e.getValue(), pointer + "/" + escape(e.getKey()), expressions, schema, secrets, items, sink);
                dynamic |= !(t instanceof Literal);
                fields.put(e.getKey(), t);
            }
            return dynamic ? new Obj(fields) : new Literal(value);
        }
        if (value.isArray()) {
            List<Template> elements = new ArrayList<>();
            boolean dynamic = false;
            for (int i = 0; i < value.size(); i++) {
                Template t = compile(value.get(i), pointer + "/" + i, expressions, schema, secrets, items, sink);
                dynamic |= !(t instanceof Literal);
                elements.add(t);
            }
            return dynamic ? new Arr(elements) : new Literal(value);
        }
        return new Literal(value);
    }

    private static Template compileString(
            String s,
            String pointer,
            Compilation expressions,
            InputSchema schema,
            SecretReads secrets,
            boolean items,
            ProblemSink sink,
            JsonNode original) {
        List<Object> parts = new ArrayList<>();
        boolean ok = true;
        for (Placeholders.Part part : Placeholders.split(s)) {
            if (part.error() != null) {
                sink.report(pointer, part.error());
                ok = false;
            } else if (part.expression() == null) {
                parts.add(part.text());
            } else {
                Expressions.Compiled c = expressions.compile(part.expression(), items);
                if (c.error() != null) {
                    sink.report(pointer, problem(part.expression(), c.error()));
                    ok = false;
                } else if (c.expression() == null) {
                    ok = false; // skipped: the budget that ran out was reported once
                } else {
                    for (String forbidden : InputReads.forbidden(c.tree(), schema)) {
                        sink.report(pointer, "expression '" + part.expression() + "' " + forbidden);
                        ok = false;
                    }
                    for (String problem : secrets.check(c.tree())) {
                        sink.report(pointer, "expression '" + part.expression() + "' " + problem);
                        ok = false;
                    }
                    parts.add(c.expression());
                }
            }
        }
        if (!ok || parts.stream().noneMatch(p -> p instanceof Expression)) {
            return new Literal(original);
        }
        if (parts.size() == 1) {
            return new Whole((Expression) parts.get(0));
        }
        return new Interpolated(List.copyOf(parts));
    }

    /**
     * The message for an expression that did not compile: a parse error "does not parse", a type
     * error (an unknown name, no matching overload) "is not valid", each with its column.
     */
    static String problem(String source, Expressions.CompileError error) {
        String quoted = source.length() <= 200 ? source : source.substring(0, 200) + "...";
        if (error.message().startsWith("Expression recursion limit exceeded")) {
            return "expression '" + quoted + "': " + Expressions.NESTED_TOO_DEEP;
        }
        if (error.column() <= 0) {
            return "expression '" + quoted + "': " + error.message();
        }
        return "expression '" + quoted + "' " + (error.syntax() ? "does not parse" : "is not valid") + " at column "
                + error.column() + ": " + error.message();
    }

    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
