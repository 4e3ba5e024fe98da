package io.nebula.worker.workflow;

import io.nebula.worker.action.Action;
import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.queue.InputGuard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Checks a parsed definition and compiles it, collecting every problem instead of stopping at the
 * first. Each check runs as far as the data allows: a node with an unknown action still has its
 * expressions checked, and the graph is checked over the nodes that have ids.
 */
final class DefinitionValidator {
    /** The longest workflow {@code timeout_seconds}: a year. */
    static final long MAX_WORKFLOW_TIMEOUT_SECONDS = 365L * 86_400;

    private static final Set<String> TOP_FIELDS =
            Set.of("name", "description", "input_schema", "max_retries", "timeout_seconds", "nodes", "output");
    private static final Set<String> NODE_FIELDS = Set.of(
            "id",
            "action",
            "description",
            "params",
            "depends_on",
            "when",
            "retry",
            "timeout_seconds",
            "map",
            "workflow",
            "input",
            "queue");
    private static final Set<String> MAP_FIELDS =
            Set.of("items", "max_parallel", "on_item_failure", "max_failed_items", "max_items");
    private static final Set<String> RETRY_FIELDS = Set.of("attempts", "backoff_ms", "max_backoff_ms");
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,127}");
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    /** Whether a sub-workflow reference is a content hash (64 lowercase hex digits). */
    static boolean isHash(String ref) {
        return HASH.matcher(ref).matches();
    }

    private final SourceIndex index;
    private final ActionRegistry actions;
    private final Compilation expressions;
    private final Limits limits;
    private final boolean authoring;
    private final List<Problem> problems = new ArrayList<>();
    private InputSchema schema;

    private DefinitionValidator(SourceIndex index, ActionRegistry actions, Expressions expressions, boolean authoring) {
        this.index = index;
        this.actions = actions;
        this.expressions = new Compilation(expressions);
        this.limits = expressions.limits();
        this.authoring = authoring;
    }

    /**
     * @param authoring whether this is a new definition being submitted, deployed or validated:
     *     then checks that only help authors (expressions reading input properties the schema
     *     forbids) run too; a stored definition compiled by a worker is held only to what it was
     *     accepted with, so an upgrade never fails executions already queued
     */
    static CompiledWorkflow compile(
            JsonNode tree,
            SourceIndex index,
            ActionRegistry actions,
            Expressions expressions,
            String hash,
            boolean authoring)
            throws WorkflowInvalidException {
        DefinitionValidator v = new DefinitionValidator(index, actions, expressions, authoring);
        CompiledWorkflow w = v.run(tree, hash);
        if (!v.problems.isEmpty()) {
            // Checks walk the tree in key order; authors read files top to bottom.
            List<Problem> ordered = new ArrayList<>(v.problems);
            ordered.sort(java.util.Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
            throw new WorkflowInvalidException(ordered);
        }
        return w;
    }

    private void problem(String pointer, String nodeId, String message) {
        problems.add(index.problem(pointer, nodeId, message));
    }

    private CompiledWorkflow run(JsonNode root, String hash) {
        if (!root.isObject()) {
            problem("", null, "a workflow must be an object with 'name' and 'nodes'");
            return null;
        }
        if (root.has("schedules") && !root.has("nodes")) {
            problem(
                    "",
                    null,
                    "this is a schedule file (a list under 'schedules'), not a workflow: apply it with"
                            + " `nebula-worker schedules apply FILE`");
            return null;
        }
        unknownFields(root, "", null, TOP_FIELDS);
        String name = requiredString(root, "name", "", null);
        if (name != null && authoring) {
            String problem = nameProblem(name);
            if (problem != null) {
                problem("/name", null, problem);
            }
        }
        String description = optionalString(root, "description", "", null);
        Integer maxRetries = optionalInt(root, "max_retries", "", null, 0, 100);
        Duration timeout = null;
        JsonNode t = root.get("timeout_seconds");
        if (t != null) {
            if (!t.isNumber() || !(t.asDouble() >= 1 && t.asDouble() <= MAX_WORKFLOW_TIMEOUT_SECONDS)) {
                problem(
                        "/timeout_seconds",
                        null,
                        "timeout_seconds must be a number from 1 to " + MAX_WORKFLOW_TIMEOUT_SECONDS + " (a year)");
            } else {
                timeout = Duration.ofMillis(Math.round(t.asDouble() * 1000));
            }
        }
        if (root.has("input_schema")) {
            schema = InputSchema.read(root.get("input_schema"), "/input_schema", (p, m) -> problem(p, null, m));
        }
        List<NodeSpec> nodes = nodes(root.get("nodes"));
        Set<String> ids = new java.util.HashSet<>();
        nodes.forEach(n -> ids.add(n.id()));
        for (NodeReferences.Reference r : NodeReferences.inTemplate(root.get("output"), "/output")) {
            if (!ids.isEmpty() && !ids.contains(r.nodeId())) {
                problem(r.pointer(), null, "refers to unknown node '" + r.nodeId() + "'");
            }
        }
        Template output = root.has("output")
                ? Template.compile(
                        root.get("output"),
                        expressions,
                        readChecks(),
                        SecretReads.refusedIn("the output mapping"),
                        (p, m) -> problem("/output" + p, null, m))
                : new Template.Literal(tools.jackson.databind.node.JsonNodeFactory.instance.nullNode());
        return new CompiledWorkflow(name, description, hash, maxRetries, timeout, schema, nodes, output, limits);
    }

    private List<NodeSpec> nodes(JsonNode list) {
        if (list == null) {
            problem("", null, "missing required field 'nodes'");
            return List.of();
        }
        if (!list.isArray() || list.isEmpty()) {
            problem("/nodes", null, "'nodes' must be a non-empty array");
            return List.of();
        }
        if (list.size() > limits.maxNodes()) {
            problem(
                    "/nodes",
                    null,
                    "workflow has " + list.size() + " nodes, more than the limit of " + limits.maxNodes());
            return List.of();
        }
        List<NodeSpec> specs = new ArrayList<>();
        Map<String, Integer> firstIndex = new HashMap<>();
        Map<String, List<String>> deps = new LinkedHashMap<>();
        Map<String, String> depPointers = new HashMap<>();
        // A node whose id is taken is left out of the graph; its dependencies are still looked up.
        List<String[]> duplicateDeps = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            NodeSpec spec = node(list.get(i), "/nodes/" + i, firstIndex, i);
            if (spec == null) {
                JsonNode n = list.get(i);
                JsonNode ds = n.path("depends_on");
                String nid = n.path("id").isString() ? n.path("id").asString() : null;
                if (nid != null && ds.isArray() && firstIndex.getOrDefault(nid, i) != i) {
                    for (int j = 0; j < ds.size(); j++) {
                        if (ds.get(j).isString()) {
                            duplicateDeps.add(new String[] {
                                "/nodes/" + i + "/depends_on/" + j,
                                nid,
                                ds.get(j).asString()
                            });
                        }
                    }
                }
                continue;
            }
            specs.add(spec);
            deps.put(spec.id(), spec.dependsOn());
            for (int j = 0; j < spec.dependsOn().size(); j++) {
                depPointers.putIfAbsent(spec.id() + "\n" + spec.dependsOn().get(j), "/nodes/" + i + "/depends_on/" + j);
            }
        }
        // Dependencies on unknown nodes are reported, then left out so the cycle search is sound.
        Map<String, List<String>> known = new LinkedHashMap<>();
        deps.forEach((id, ds) -> {
            List<String> kept = new ArrayList<>();
            for (String d : ds) {
                if (deps.containsKey(d)) {
                    kept.add(d);
                } else if (!firstIndex.containsKey(d)) {
                    problem(depPointers.get(id + "\n" + d), id, "depends on unknown node '" + d + "'");
                }
            }
            known.put(id, kept);
        });
        for (String[] d : duplicateDeps) {
            if (!firstIndex.containsKey(d[2])) {
                problem(d[0], d[1], "depends on unknown node '" + d[2] + "'");
            }
        }
        List<String> order = List.copyOf(known.keySet());
        List<List<String>> cycles = GraphCheck.cycles(order, known);
        for (List<String> c : cycles) {
            String first = c.get(0);
            problem(depPointers.get(first + "\n" + c.get(1)), first, "dependency cycle: " + String.join(" -> ", c));
        }
        if (cycles.isEmpty()) {
            Map<String, Set<String>> up = GraphCheck.upstream(order, known);
            specs.forEach(s -> s.upstream(up.get(s.id())));
            for (NodeSpec s : specs) {
                int i = firstIndex.get(s.id());
                checkReferences(list.get(i), "/nodes/" + i, s.id(), up.get(s.id()), firstIndex.keySet());
            }
        }
        return specs;
    }

    /** Expressions may only read upstream nodes: anything else is not there when they run. */
    private void checkReferences(JsonNode n, String at, String id, Set<String> upstream, Set<String> allIds) {
        List<NodeReferences.Reference> refs =
                new ArrayList<>(NodeReferences.inTemplate(n.get("params"), at + "/params"));
        refs.addAll(NodeReferences.inTemplate(n.get("input"), at + "/input"));
        JsonNode when = n.get("when");
        if (when != null && when.isString()) {
            NodeReferences.in(when.asString()).forEach(r -> refs.add(new NodeReferences.Reference(at + "/when", r)));
        }
        JsonNode items = n.path("map").get("items");
        if (items != null && items.isString()) {
            NodeReferences.in(items.asString())
                    .forEach(r -> refs.add(new NodeReferences.Reference(at + "/map/items", r)));
        }
        for (NodeReferences.Reference r : refs) {
            if (upstream.contains(r.nodeId())) {
                continue;
            }
            problem(
                    r.pointer(),
                    id,
                    allIds.contains(r.nodeId())
                            ? "refers to node '" + r.nodeId() + "', which is not upstream of '" + id
                                    + "' (add it to depends_on)"
                            : "refers to unknown node '" + r.nodeId() + "'");
        }
    }

    private NodeSpec node(JsonNode n, String at, Map<String, Integer> firstIndex, int position) {
        if (!n.isObject()) {
            problem(at, null, "a node must be an object");
            return null;
        }
        String id = requiredString(n, "id", at, null);
        if (id != null && !NODE_ID.matcher(id).matches()) {
            problem(
                    at + "/id",
                    id,
                    "node id must start with a letter or '_' and contain only letters, digits, '_' and '-' (at most 128)");
        }
        boolean duplicate = false;
        if (id != null) {
            Integer first = firstIndex.putIfAbsent(id, position);
            if (first != null) {
                problem(at + "/id", id, "duplicate node id '" + id + "' (first used at /nodes/" + first + ")");
                duplicate = true;
            }
        }
        unknownFields(n, at, id, NODE_FIELDS);
        optionalString(n, "description", at, id);
        boolean child = n.has("workflow");
        String actionName = child ? null : requiredString(n, "action", at, id);
        String childHash = child ? childWorkflow(n, at, id) : null;
        if (!child && n.has("input")) {
            problem(at + "/input", id, "'input' belongs to a workflow node; an action takes 'params'");
        }
        String childQueue = childQueue(n.get("queue"), at + "/queue", id, child);
        Optional<Action> action = Optional.empty();
        if (actionName != null) {
            action = actions.find(actionName);
            if (action.isEmpty()) {
                problem(
                        at + "/action",
                        id,
                        "unknown action '" + actionName + "' (known: " + String.join(", ", actions.names()) + ")"
                                + actions.unknownActionHint().map(h -> "; " + h).orElse(""));
            }
        }
        MapSpec map = map(n.get("map"), at + "/map", id, actionName);
        if (child
                && map != null
                && map.itemsAtMost() == 0
                && !n.get("map").path("items").isArray()) {
            problem(
                    at + "/map",
                    id,
                    "a map over a workflow node needs max_items (the most child executions it may start)"
                            + " when its items are an expression");
        }
        JsonNode params = child ? n.get("input") : n.get("params");
        String paramsAt = child ? at + "/input" : at + "/params";
        // A child's input is stored with the child execution, so it may not hold a secret.
        SecretReads secrets = child ? SecretReads.refusedIn("a workflow node's input") : SecretReads.collecting();
        Template paramsTemplate = Template.compile(
                params, expressions, readChecks(), secrets, n.has("map"), (p, m) -> problem(paramsAt + p, id, m));
        if (action.isPresent()) {
            checkParams(action.get(), params, at + "/params", id);
        }
        List<String> dependsOn = dependsOn(n.get("depends_on"), at + "/depends_on", id);
        Expression when = condition(n.get("when"), at + "/when", id);
        RetryPolicy retry = retry(n.get("retry"), at + "/retry", id);
        Duration timeout = null;
        JsonNode t = n.get("timeout_seconds");
        if (t != null) {
            if (!t.isNumber() || !(t.asDouble() > 0 && t.asDouble() <= 7 * 86_400)) {
                problem(
                        at + "/timeout_seconds",
                        id,
                        "timeout_seconds must be a number above 0 and at most 604800 (7 days)");
            } else {
                timeout = Duration.ofMillis(Math.max(1, Math.round(t.asDouble() * 1000)));
            }
        }
        if (id == null || duplicate) {
            return null;
        }
        return new NodeSpec(
                id,
                child ? NodeSpec.WORKFLOW : actionName,
                paramsTemplate,
                secrets.names(),
                dependsOn,
                when,
                retry,
                timeout,
                limits,
                map,
                childHash,
                childQueue);
    }

    /**
     * The queue a workflow node submits its child to, or {@code null} for the parent's queue: a
     * literal queue name, checked here when the definition is loaded.
     */
    private String childQueue(JsonNode q, String at, String id, boolean child) {
        if (q == null) {
            return null;
        }
        if (!child) {
            problem(at, id, "'queue' belongs to a workflow node (the queue its child execution is submitted to)");
            return null;
        }
        String problem = q.isString() ? InputGuard.queueProblem(q.asString()) : "queue must be a queue name";
        if (problem != null) {
            problem(at, id, problem);
            return null;
        }
        return q.asString();
    }

    /**
     * The content hash a workflow node runs. A file name has been replaced by its hash when the
     * definition was loaded from a file; one left here could not be resolved.
     */
    private String childWorkflow(JsonNode n, String at, String id) {
        if (n.has("action")) {
            problem(at + "/action", id, "a node runs either an 'action' or a 'workflow', not both");
        }
        if (n.has("params")) {
            problem(at + "/params", id, "a workflow node takes its child's 'input', not 'params'");
        }
        JsonNode w = n.get("workflow");
        if (!w.isString() || !isHash(w.asString())) {
            problem(
                    at + "/workflow",
                    id,
                    "workflow must name a workflow file next to this one, or be the content hash of a stored"
                            + " workflow (64 hex digits)");
            return null;
        }
        return w.asString();
    }

    /**
     * A node's {@code map}: {@code items} (an expression producing a list, or a literal array),
     * {@code max_parallel}, {@code on_item_failure} and, with {@code tolerate}, {@code
     * max_failed_items}. {@code null} when the node has none or it is not valid (then reported).
     */
    private MapSpec map(JsonNode m, String at, String id, String actionName) {
        if (m == null) {
            return null;
        }
        if (!m.isObject()) {
            problem(
                    at,
                    id,
                    "map must be an object with 'items' and optionally max_parallel, on_item_failure,"
                            + " max_failed_items, max_items");
            return null;
        }
        unknownFields(m, at, id, MAP_FIELDS);
        boolean ok = true;
        if ("signal".equals(actionName)) {
            problem(at, id, "a map node cannot run 'signal': its items cannot wait for signals");
            ok = false;
        }
        Expression items = null;
        List<?> literal = null;
        JsonNode i = m.get("items");
        if (i == null) {
            problem(at, id, "missing required field 'items' (an expression such as \"${{ input.recipients }}\")");
            ok = false;
        } else if (i.isArray()) {
            literal = (List<?>) CelValues.toCel(i);
        } else if (!i.isString() || i.asString().isBlank()) {
            problem(
                    at + "/items",
                    id,
                    "items must be an expression producing a list, such as \"${{ input.recipients }}\","
                            + " or an array");
            ok = false;
        } else {
            items = itemsExpression(i.asString(), at + "/items", id);
            ok &= items != null;
        }
        Integer maxParallel = optionalInt(m, "max_parallel", at, id, 1, MapSpec.MAX_PARALLEL);
        MapSpec.OnItemFailure policy = MapSpec.OnItemFailure.FAIL_FAST;
        JsonNode p = m.get("on_item_failure");
        if (p != null && !p.isNull()) {
            policy = p.isString() ? MapSpec.OnItemFailure.parse(p.asString()) : null;
            if (policy == null) {
                problem(at + "/on_item_failure", id, "on_item_failure must be fail_fast, finish_all or tolerate");
                policy = MapSpec.OnItemFailure.FAIL_FAST;
                ok = false;
            }
        }
        Integer maxFailed = optionalInt(m, "max_failed_items", at, id, 0, 100_000_000);
        Integer maxItems = optionalInt(m, "max_items", at, id, 1, MapSpec.MAX_ITEMS);
        if (maxItems == null && m.has("max_items") && !m.get("max_items").isNull()) {
            ok = false;
        } else if (maxItems != null && i != null && i.isArray() && i.size() > maxItems) {
            problem(at + "/items", id, "items holds " + i.size() + " elements, more than max_items " + maxItems);
            ok = false;
        }
        if (policy == MapSpec.OnItemFailure.TOLERATE && maxFailed == null && !m.has("max_failed_items")) {
            problem(at, id, "on_item_failure: tolerate needs max_failed_items (the most items that may fail)");
            ok = false;
        } else if (policy != MapSpec.OnItemFailure.TOLERATE && m.has("max_failed_items")) {
            problem(at + "/max_failed_items", id, "max_failed_items applies only with on_item_failure: tolerate");
            ok = false;
        }
        if (!ok) {
            return null;
        }
        return new MapSpec(
                items,
                literal,
                maxParallel == null ? MapSpec.DEFAULT_MAX_PARALLEL : maxParallel,
                policy,
                maxFailed == null ? 0 : maxFailed,
                maxItems == null ? 0 : maxItems,
                limits);
    }

    /** Compiles {@code items}; a type known at compile time must be a list. */
    private Expression itemsExpression(String text, String at, String id) {
        String source = text.strip();
        List<Placeholders.Part> parts = Placeholders.split(source);
        if (parts.size() == 1 && parts.get(0).expression() != null) {
            source = parts.get(0).expression();
        } else if (source.contains(Placeholders.OPEN)) {
            problem(at, id, "items must be one expression \"${{ ... }}\" producing a list, not text around one");
            return null;
        }
        Expressions.Compiled c = expressions.compile(source);
        if (c.error() != null) {
            problem(at, id, Template.problem(source, c.error()));
            return null;
        }
        if (c.expression() == null) {
            return null;
        }
        for (String forbidden : InputReads.forbidden(c.tree(), readChecks())) {
            problem(at, id, "expression '" + source + "' " + forbidden);
        }
        for (String refused : SecretReads.refusedIn("a map's items").check(c.tree())) {
            problem(at, id, "expression '" + source + "' " + refused);
        }
        if (c.kind() != null
                && c.kind() != dev.cel.common.types.CelKind.LIST
                && c.kind() != dev.cel.common.types.CelKind.DYN
                && c.kind() != dev.cel.common.types.CelKind.ANY) {
            problem(
                    at,
                    id,
                    "items expression '" + c.expression().quoted() + "' produces "
                            + c.kind().name().toLowerCase(java.util.Locale.ROOT) + ", not a list");
            return null;
        }
        return c.expression();
    }

    private void checkParams(Action action, JsonNode params, String at, String id) {
        List<String> found;
        try {
            found = action.validate(params);
        } catch (RuntimeException e) {
            problem(at, id, "action '" + action.name() + "' could not check its params: " + e);
            return;
        }
        for (String message : found) {
            // "name: reason" points at that parameter when it exists.
            int colon = message.indexOf(": ");
            String pointer = at;
            if (colon > 0 && params != null && params.isObject() && params.has(message.substring(0, colon))) {
                pointer = at + "/" + Template.escape(message.substring(0, colon));
            }
            problem(pointer, id, "invalid params for '" + action.name() + "': " + message);
        }
    }

    private List<String> dependsOn(JsonNode d, String at, String id) {
        List<String> out = new ArrayList<>();
        if (d == null || d.isNull()) {
            return out;
        }
        if (!d.isArray()) {
            problem(at, id, "depends_on must be an array of node ids");
            return out;
        }
        for (int j = 0; j < d.size(); j++) {
            JsonNode item = d.get(j);
            if (!item.isString()) {
                problem(at + "/" + j, id, "depends_on entries must be node ids (strings)");
            } else if (item.asString().equals(id)) {
                problem(at + "/" + j, id, "node depends on itself");
            } else if (out.contains(item.asString())) {
                problem(at + "/" + j, id, "'" + item.asString() + "' is listed twice");
            } else {
                out.add(item.asString());
            }
        }
        return out;
    }

    /** What a condition's expression may not give: anything known not to be a boolean. */
    private static final Set<dev.cel.common.types.CelKind> NOT_A_CONDITION = Set.of(
            dev.cel.common.types.CelKind.INT,
            dev.cel.common.types.CelKind.UINT,
            dev.cel.common.types.CelKind.DOUBLE,
            dev.cel.common.types.CelKind.STRING,
            dev.cel.common.types.CelKind.BYTES,
            dev.cel.common.types.CelKind.LIST,
            dev.cel.common.types.CelKind.MAP,
            dev.cel.common.types.CelKind.NULL_TYPE,
            dev.cel.common.types.CelKind.TIMESTAMP,
            dev.cel.common.types.CelKind.DURATION);

    private static final Set<dev.cel.common.types.CelKind> NUMBERS = Set.of(
            dev.cel.common.types.CelKind.INT, dev.cel.common.types.CelKind.UINT, dev.cel.common.types.CelKind.DOUBLE);

    private Expression condition(JsonNode w, String at, String id) {
        if (w == null || w.isNull()) {
            return null;
        }
        if (w.isBoolean()) {
            problem(at, id, "when must be an expression string such as \"input.enabled\", not a boolean literal");
            return null;
        }
        if (!w.isString()) {
            problem(at, id, "when must be an expression string");
            return null;
        }
        String source = w.asString().strip();
        // Accept "${{ expr }}" too: authors used to the parameter syntax write it that way.
        List<Placeholders.Part> parts = Placeholders.split(source);
        if (parts.size() == 1 && parts.get(0).expression() != null) {
            source = parts.get(0).expression();
        }
        if (source.isEmpty()) {
            problem(at, id, "when must not be empty");
            return null;
        }
        Expressions.Compiled c = expressions.compile(source);
        if (c.error() != null) {
            problem(at, id, Template.problem(source, c.error()));
        } else if (authoring && c.kind() != null && NOT_A_CONDITION.contains(c.kind())) {
            // Only for definitions being written: a stored one that passed an older build still runs.
            problem(
                    at,
                    id,
                    "when must give true or false, and '" + source + "' gives "
                            + c.kind().name().toLowerCase(java.util.Locale.ROOT).replace("_type", "")
                            + (NUMBERS.contains(c.kind()) ? "; compare it, as in '" + source + " > 0'" : ""));
        }
        for (String forbidden : InputReads.forbidden(c.tree(), readChecks())) {
            problem(at, id, "expression '" + source + "' " + forbidden);
        }
        for (String refused : SecretReads.refusedIn("a node's when").check(c.tree())) {
            problem(at, id, "expression '" + source + "' " + refused);
        }
        return c.expression();
    }

    /** The schema to check input reads against: only for definitions being authored. */
    private InputSchema readChecks() {
        return authoring ? schema : null;
    }

    private RetryPolicy retry(JsonNode r, String at, String id) {
        if (r == null || r.isNull()) {
            return RetryPolicy.NONE;
        }
        if (!r.isObject()) {
            problem(at, id, "retry must be an object with attempts, backoff_ms, max_backoff_ms");
            return RetryPolicy.NONE;
        }
        unknownFields(r, at, id, RETRY_FIELDS);
        Integer attempts = optionalInt(r, "attempts", at, id, 1, 100);
        Integer backoff = optionalInt(r, "backoff_ms", at, id, 0, 3_600_000);
        Integer max = optionalInt(r, "max_backoff_ms", at, id, 0, 86_400_000);
        Duration b = Duration.ofMillis(backoff == null ? 1_000 : backoff);
        Duration m = max == null ? Duration.ofMillis(Math.max(60_000, b.toMillis())) : Duration.ofMillis(max);
        if (m.compareTo(b) < 0) {
            problem(at + "/max_backoff_ms", id, "max_backoff_ms must not be below backoff_ms");
            m = b;
        }
        return new RetryPolicy(attempts == null ? 1 : attempts, b, m);
    }

    private void unknownFields(JsonNode o, String at, String id, Set<String> known) {
        for (String k : o.propertyNames()) {
            if (!known.contains(k)) {
                problem(
                        at + "/" + Template.escape(k),
                        id,
                        "unknown field '" + k + "' (known: "
                                + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    /** The longest workflow name: it is repeated in every log line and span of its executions. */
    static final int MAX_NAME_LENGTH = 200;

    /**
     * What is wrong with a workflow name, or {@code null}: too long, or holding a control or
     * invisible formatting character (a line break, a right-to-left override) that would make it
     * read differently in logs, tables and the console than it is. Checked when a definition is
     * written; a stored one keeps running.
     */
    static String nameProblem(String name) {
        if (name.length() > MAX_NAME_LENGTH) {
            return "'name' is " + name.length() + " characters, more than the limit of " + MAX_NAME_LENGTH;
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int type = Character.getType(cp);
            if (Character.isISOControl(cp)
                    || type == Character.FORMAT
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                return "'name' holds the control or formatting character U+"
                        + String.format(java.util.Locale.ROOT, "%04X", cp) + " at position " + (i + 1)
                        + "; use visible characters";
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    private String requiredString(JsonNode o, String field, String at, String id) {
        JsonNode v = o.get(field);
        if (v == null) {
            problem(at, id, "missing required field '" + field + "'");
            return null;
        }
        if (!v.isString() || v.asString().isBlank()) {
            problem(at + "/" + field, id, "'" + field + "' must be a non-empty string");
            return null;
        }
        return v.asString();
    }

    private String optionalString(JsonNode o, String field, String at, String id) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            problem(at + "/" + field, id, "'" + field + "' must be a string");
            return null;
        }
        return v.asString();
    }

    private Integer optionalInt(JsonNode o, String field, String at, String id, int min, int max) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            problem(at + "/" + field, id, "'" + field + "' must be a whole number from " + min + " to " + max);
            return null;
        }
        return v.asInt();
    }
}
