package io.nebula.worker.workflow;

import io.nebula.worker.action.ActionRegistry;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * The entry point to workflow definitions: load and validate files or text for submit and the
 * {@code validate} command, and compile stored canonical definitions for the runtime.
 *
 * <p>This is the process's one cache of stored definitions: compiled, by content hash, so CEL
 * compiles each definition once per process however many executions use it, and the text is read
 * (from the store, through a {@link StoredDefinition}) only on a miss. When many executions of a
 * definition not yet compiled start at once, one reads and compiles it while the others wait for
 * that result; a failed read is not kept, so the next caller tries again. The cache is bounded by
 * weight ({@link Limits#cacheBytes()}, least recently used out first), weighing each definition by
 * its text times {@value #COMPILED_PER_CHAR}, about what its compiled form holds (the text itself is
 * not kept); one heavier than the whole budget is read and compiled for each use and never kept. A
 * definition that does not compile is cached as such, so executions of a hostile definition do
 * not each pay its compile budget again. Thread-safe; a hit reads one map and allocates nothing.
 */
public final class Workflows {
    /**
     * Weight of a cached definition per character of its canonical text: measured heap of compiled
     * definitions was about 22 bytes per character when every value is an expression, 8 when none is.
     */
    static final int COMPILED_PER_CHAR = 24;

    private final ActionRegistry actions;
    private final Expressions expressions;
    private final Limits limits;
    /**
     * The most executions one run of a workflow loaded from files may start through its
     * sub-workflows, theirs counted: a few nodes per level would otherwise multiply into millions.
     */
    public static final long MAX_CHILD_EXECUTIONS = 10_000;

    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<Cached>> loading = new ConcurrentHashMap<>();
    /** Counts uses of cached definitions; a definition's last use is the count it was used at. */
    private final AtomicLong uses = new AtomicLong();
    /** Guards {@link #cachedWeight} and every change to {@link #cache}. */
    private final Object changes = new Object();

    private long cachedWeight;

    /**
     * A compiled definition or the reason it does not compile, with its weight in the cache and
     * when it was last used (a value of {@link #uses}).
     */
    private static final class Cached {
        final CompiledWorkflow workflow;
        final List<Problem> problems;
        final long weight;
        volatile long lastUse;

        Cached(CompiledWorkflow workflow, List<Problem> problems, long weight) {
            this.workflow = workflow;
            this.problems = problems;
            this.weight = weight;
        }

        CompiledWorkflow get() throws WorkflowInvalidException {
            if (problems != null) {
                throw new WorkflowInvalidException(problems);
            }
            return workflow;
        }
    }

    public Workflows(ActionRegistry actions, Limits limits) {
        this.actions = Objects.requireNonNull(actions, "actions");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.expressions = new Expressions(limits);
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Builds and exercises the expression engine, so that the first definition compiled does not
     * wait for it (hundreds of milliseconds of class loading).
     */
    public void warmUp() {
        expressions.warmUp();
    }

    /**
     * Reads a JSON ({@code .json}) or YAML ({@code .yaml}, {@code .yml}) file; other names are
     * sniffed (a leading '{' means JSON). Problems are located by the path as given.
     *
     * @throws WorkflowInvalidException with every problem found
     * @throws IOException when the file cannot be read
     */
    public LoadedWorkflow load(Path file) throws IOException, WorkflowInvalidException {
        return load(file, List.of(file.toAbsolutePath().normalize()));
    }

    /** As {@link #load(Path)}; {@code calling} lists the files whose sub-workflows led here. */
    private LoadedWorkflow load(Path file, List<Path> calling) throws IOException, WorkflowInvalidException {
        long size = Files.size(file);
        String source = file.toString();
        if (size > limits.maxDefinitionBytes()) {
            throw new WorkflowInvalidException(List.of(new Problem(
                    source,
                    0,
                    0,
                    "",
                    null,
                    "definition is " + size + " bytes, more than the limit of " + limits.maxDefinitionBytes())));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new WorkflowInvalidException(List.of(new Problem(source, 0, 0, "", null, "file is not valid UTF-8")));
        }
        return loadText(text, source, ref -> child(file, ref, calling));
    }

    /**
     * Loads the sub-workflow file {@code ref} names, relative to the folder of {@code parent}.
     *
     * @throws WorkflowInvalidException naming the cycle, the missing file or the child's first
     *     problem
     */
    private LoadedWorkflow child(Path parent, String ref, List<Path> calling) throws WorkflowInvalidException {
        Path dir = parent.toAbsolutePath().normalize().getParent();
        Path file = (dir == null ? Path.of(ref) : dir.resolve(ref)).normalize();
        if (calling.contains(file)) {
            List<String> chain = new java.util.ArrayList<>();
            for (Path p : calling.subList(calling.indexOf(file), calling.size())) {
                chain.add(String.valueOf(p.getFileName()));
            }
            chain.add(String.valueOf(file.getFileName()));
            throw childProblem("workflows call each other in a cycle: " + String.join(" -> ", chain));
        }
        if (!Files.isRegularFile(file)) {
            throw childProblem("workflow file '" + ref + "' not found (looked for " + file + ")");
        }
        List<Path> deeper = new java.util.ArrayList<>(calling);
        deeper.add(file);
        try {
            return load(file, deeper);
        } catch (IOException e) {
            throw childProblem("workflow file '" + ref + "' cannot be read: " + e.getMessage());
        } catch (WorkflowInvalidException e) {
            Problem first = e.problems().get(0);
            throw childProblem("workflow '" + ref + "' does not validate: " + first.render()
                    + (e.problems().size() > 1 ? " (and " + (e.problems().size() - 1) + " more)" : ""));
        }
    }

    private static WorkflowInvalidException childProblem(String message) {
        return new WorkflowInvalidException(List.of(new Problem("", 0, 0, "", null, message)));
    }

    /** Resolves a sub-workflow reference that is not a content hash (a file name). */
    @FunctionalInterface
    interface ChildResolver {
        LoadedWorkflow resolve(String ref) throws WorkflowInvalidException;
    }

    /**
     * Validates definition text; {@code sourceName} labels problems and, by its extension,
     * chooses JSON or YAML.
     */
    public LoadedWorkflow loadText(String text, String sourceName) throws WorkflowInvalidException {
        return loadText(text, sourceName, null);
    }

    /**
     * As {@link #loadText(String, String)}; sub-workflow files the definition names are loaded by
     * {@code resolver} and replaced by their content hash before it is hashed itself, so a parent
     * is pinned to its children's versions. Without a resolver a file name is an error.
     */
    LoadedWorkflow loadText(String text, String sourceName, ChildResolver resolver) throws WorkflowInvalidException {
        if (text.indexOf('\0') >= 0) {
            throw new WorkflowInvalidException(
                    List.of(new Problem(sourceName, 0, 0, "", null, "definition contains a NUL character")));
        }
        DefinitionReader.Parsed parsed = DefinitionReader.read(text, sourceName, limits);
        List<Problem> childProblems = new java.util.ArrayList<>();
        // Before the file names are replaced by hashes.
        long byHash = startedByHash(parsed);
        List<Long> times = new java.util.ArrayList<>();
        List<LoadedWorkflow> children = resolveChildren(parsed, resolver, childProblems, times);
        long started = Math.min(1_000_000_000L, LoadedWorkflow.executionsStartedAtMost(children, times) + byHash);
        if (started > MAX_CHILD_EXECUTIONS) {
            childProblems.add(parsed.index()
                    .problem(
                            "/nodes",
                            null,
                            "its sub-workflow nodes would start up to " + started
                                    + " executions (their own sub-workflows counted), more than the limit of "
                                    + MAX_CHILD_EXECUTIONS));
        }
        // Compile the sorted tree, not the text's order: a worker that later compiles the stored
        // canonical text must build the same thing (object key order reaches rendered outputs).
        // Pointers are the same in both trees, so the source index still applies.
        JsonNode sorted = Canonical.sorted(parsed.tree());
        String canonical = Canonical.json(sorted);
        String hash = Canonical.sha256(canonical);
        CompiledWorkflow compiled;
        try {
            compiled = DefinitionValidator.compile(sorted, parsed.index(), actions, expressions, hash, true);
        } catch (WorkflowInvalidException e) {
            if (childProblems.isEmpty()) {
                throw e;
            }
            // Every problem at once: the children's, then the rest of the definition's (less what
            // it says again about the references that could not be resolved).
            java.util.Set<String> at = new java.util.HashSet<>();
            childProblems.forEach(p -> at.add(p.pointer()));
            List<Problem> all = new java.util.ArrayList<>(childProblems);
            e.problems().stream().filter(p -> !at.contains(p.pointer())).forEach(all::add);
            throw new WorkflowInvalidException(all);
        }
        if (!childProblems.isEmpty()) {
            throw new WorkflowInvalidException(childProblems);
        }
        put(hash, new Cached(compiled, null, weight(canonical)));
        return new LoadedWorkflow(canonical, hash, compiled, children, started);
    }

    /**
     * Replaces every {@code workflow} that names a file by the loaded file's content hash; returns
     * the files loaded, and adds to {@code times} how many executions of each its node starts at
     * most (see {@link #startsAtMost}). Problems, located at the reference, are added to {@code
     * problems}.
     */
    private static List<LoadedWorkflow> resolveChildren(
            DefinitionReader.Parsed parsed, ChildResolver resolver, List<Problem> problems, List<Long> times) {
        JsonNode nodes = parsed.tree().path("nodes");
        if (!nodes.isArray()) {
            return List.of();
        }
        List<LoadedWorkflow> children = new java.util.ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode n = nodes.get(i);
            JsonNode ref = n.path("workflow");
            if (!ref.isString() || DefinitionValidator.isHash(ref.asString())) {
                continue;
            }
            String pointer = "/nodes/" + i + "/workflow";
            String id = n.path("id").isString() ? n.path("id").asString() : null;
            if (resolver == null) {
                problems.add(parsed.index()
                        .problem(
                                pointer,
                                id,
                                "workflow '" + ref.asString() + "' is not the content hash of a stored workflow;"
                                        + " a file name is resolved only when this definition is loaded from a file"));
                continue;
            }
            try {
                LoadedWorkflow child = resolver.resolve(ref.asString());
                children.add(child);
                times.add(startsAtMost(n));
                ((tools.jackson.databind.node.ObjectNode) n).put("workflow", child.hash());
            } catch (WorkflowInvalidException e) {
                problems.add(
                        parsed.index().problem(pointer, id, e.problems().get(0).message()));
            }
        }
        return children;
    }

    /**
     * The executions started by the workflow nodes that name their child by content hash: each
     * {@link #startsAtMost} (what those children start in turn is not known here).
     */
    private static long startedByHash(DefinitionReader.Parsed parsed) {
        long n = 0;
        for (JsonNode node : parsed.tree().path("nodes")) {
            JsonNode ref = node.path("workflow");
            if (ref.isString() && DefinitionValidator.isHash(ref.asString())) {
                n = Math.min(1_000_000_000L, n + startsAtMost(node));
            }
        }
        return n;
    }

    /** Sub-workflow levels followed below a definition before its count is taken as over the limit. */
    static final int MAX_COUNTED_LEVELS = 64;

    /**
     * What stops {@code w} from being stored or run because of the workflows its sub-workflow nodes
     * name by content hash, or {@code null}: a node whose child is neither loaded with {@code w} nor
     * stored (it could never start), or more than {@link #MAX_CHILD_EXECUTIONS} executions started in
     * all, counting what those stored workflows start in turn (loading a file counts only the files
     * it names), or sub-workflows nested more than {@link #MAX_COUNTED_LEVELS} levels deep. {@code
     * stored} gives a stored definition's canonical text by its hash; each is read once.
     */
    public static String storedChildrenProblem(
            LoadedWorkflow w, java.util.function.Function<String, java.util.Optional<String>> stored) {
        if (w.workflow().nodes().stream().noneMatch(n -> n.childWorkflow() != null)) {
            return null;
        }
        Map<String, java.util.Optional<String>> read = new java.util.HashMap<>();
        for (var d : w.documents()) {
            read.put(d.hash(), java.util.Optional.of(d.definitionJson()));
        }
        java.util.function.Function<String, java.util.Optional<String>> definitions =
                h -> read.computeIfAbsent(h, stored);
        for (NodeSpec n : w.workflow().nodes()) {
            String child = n.childWorkflow();
            if (child != null && definitions.apply(child).isEmpty()) {
                return "node '" + n.id() + "' of '" + w.name() + "' runs workflow " + child + ", which is not stored";
            }
        }
        long started = startedAtMost(w.hash(), definitions, new java.util.HashMap<>(), 0);
        if (started <= MAX_CHILD_EXECUTIONS) {
            return null;
        }
        return "'" + w.name() + "' is refused: "
                + (started == Long.MAX_VALUE
                        ? "its sub-workflows are nested more than " + MAX_COUNTED_LEVELS + " levels deep"
                        : "its sub-workflow nodes could start more than " + MAX_CHILD_EXECUTIONS + " executions (the"
                                + " stored workflows they run by content hash counted with what they start in turn)");
    }

    /**
     * The executions a run of the definition stored under {@code hash} starts through its
     * sub-workflow nodes, each child's own counted; past {@link #MAX_CHILD_EXECUTIONS} the count
     * stops growing exactly, and {@link Long#MAX_VALUE} means nested too deep.
     */
    private static long startedAtMost(
            String hash,
            java.util.function.Function<String, java.util.Optional<String>> definitions,
            Map<String, Long> memo,
            int level) {
        Long seen = memo.get(hash);
        if (seen != null) {
            return seen;
        }
        if (level > MAX_COUNTED_LEVELS) {
            return Long.MAX_VALUE;
        }
        String text = definitions.apply(hash).orElse(null);
        if (text == null) {
            return 0;
        }
        long n = 0;
        for (JsonNode node : io.nebula.worker.json.Json.MAPPER.readTree(text).path("nodes")) {
            JsonNode ref = node.path("workflow");
            if (!ref.isString()) {
                continue;
            }
            long below = startedAtMost(ref.asString(), definitions, memo, level + 1);
            if (below == Long.MAX_VALUE) {
                return Long.MAX_VALUE;
            }
            // Capped just past the limit: only whether it is passed matters, and nothing overflows.
            long each = Math.min(MAX_CHILD_EXECUTIONS + 1, 1 + below);
            n = Math.min(MAX_CHILD_EXECUTIONS + 1, n + startsAtMost(node) * each);
        }
        memo.put(hash, n);
        return n;
    }

    /**
     * How many child executions a workflow node starts at most: one, or with a map one per item,
     * which is the length of a literal {@code items} or else {@code max_items} (which validation
     * requires there).
     */
    private static long startsAtMost(JsonNode node) {
        JsonNode map = node.path("map");
        if (!map.isObject()) {
            return 1;
        }
        JsonNode items = map.path("items");
        if (items.isArray()) {
            return items.size();
        }
        JsonNode max = map.path("max_items");
        return max.isIntegralNumber() && max.canConvertToInt() && max.asInt() > 0 ? max.asInt() : 1;
    }

    /**
     * Compiles a stored canonical definition, from the cache when this process has seen it.
     *
     * @throws WorkflowInvalidException when it does not validate here (for instance, an action
     *     this worker does not have, or a budget of {@link Limits} exceeded)
     */
    public CompiledWorkflow compile(String canonicalJson) throws WorkflowInvalidException {
        return compile(new Text(Canonical.sha256(canonicalJson), canonicalJson));
    }

    /**
     * As {@link #compile(String)}, looking the definition up by {@code hash}, the content hash it
     * was stored under, so a process that compiled it before does not hash the text again. A
     * {@code null} hash is computed from the text.
     */
    public CompiledWorkflow compile(String hash, String canonicalJson) throws WorkflowInvalidException {
        Cached hit = hash == null ? null : cache.get(hash);
        if (hit != null) {
            used(hit);
            return hit.get();
        }
        return miss(new Text(hash == null ? Canonical.sha256(canonicalJson) : hash, canonicalJson))
                .get();
    }

    /**
     * The compiled definition stored under {@code definition}'s hash. A hit is one map read and
     * allocates nothing; on a miss the text is read from {@code definition} (once, however many
     * callers miss on that hash together: the others wait for that read and compile, so a hash
     * must name one text), hashed, and compiled and cached under its real hash: a hash that is
     * not the text's own is never a hit and costs a read each time. What reading the text throws
     * reaches every caller that waited for it and is not cached.
     *
     * @throws WorkflowInvalidException when it does not validate here
     */
    public CompiledWorkflow compile(StoredDefinition definition) throws WorkflowInvalidException {
        Cached hit = cache.get(definition.workflowHash());
        if (hit != null) {
            used(hit);
            return hit.get();
        }
        return miss(definition).get();
    }

    /** A definition whose text is at hand. */
    private record Text(String workflowHash, String definitionJson) implements StoredDefinition {}

    private Cached miss(StoredDefinition definition) {
        String hash = definition.workflowHash();
        CompletableFuture<Cached> mine = new CompletableFuture<>();
        CompletableFuture<Cached> theirs = loading.putIfAbsent(hash, mine);
        if (theirs != null) {
            return await(hash, theirs);
        }
        try {
            Cached c = cache.get(hash); // kept by a load that ended since this caller looked
            if (c == null) {
                String text = definition.definitionJson();
                String real = Canonical.sha256(text);
                c = real.equals(hash) ? null : cache.get(real);
                if (c == null) {
                    c = compileNow(real, text);
                    put(real, c);
                }
            }
            mine.complete(c);
            return c;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(hash, mine);
        }
    }

    /**
     * Waits for another caller's load and compile of {@code hash}; rethrows what it failed with.
     * An interrupt ends the wait with a {@link CancellationException} and keeps the flag set.
     */
    private static Cached await(String hash, CompletableFuture<Cached> theirs) {
        try {
            return theirs.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException c =
                    new CancellationException("interrupted while waiting for workflow " + hash + " to be loaded");
            c.initCause(e);
            throw c;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    private Cached compileNow(String hash, String canonicalJson) {
        String label = "workflow " + hash.substring(0, 12);
        try {
            DefinitionReader.Parsed parsed = DefinitionReader.read(canonicalJson, label + ".json", limits);
            CompiledWorkflow w = DefinitionValidator.compile(
                    parsed.tree(), SourceIndex.empty(label), actions, expressions, hash, false);
            return new Cached(w, null, weight(canonicalJson));
        } catch (WorkflowInvalidException e) {
            // Kept small whatever the definition's size: the problems, not the definition.
            return new Cached(null, e.problems().stream().limit(100).toList(), 1_024);
        }
    }

    private static long weight(String canonicalJson) {
        return (long) canonicalJson.length() * COMPILED_PER_CHAR;
    }

    /** The weight of what the cache holds now. */
    long cachedWeight() {
        synchronized (changes) {
            return cachedWeight;
        }
    }

    /**
     * Marks a hit as the most recent use. Repeated hits on the definition used last write
     * nothing, so one busy definition costs its callers a read of the counter only.
     */
    private void used(Cached c) {
        if (c.lastUse != uses.get()) {
            c.lastUse = uses.incrementAndGet();
        }
    }

    /** Keeps {@code c}, then drops the least recently used definitions until the weight fits. */
    private void put(String hash, Cached c) {
        long budget = limits.cacheBytes();
        if (c.weight > budget) {
            return; // larger than the whole cache: loaded and compiled again each time, never kept
        }
        synchronized (changes) {
            c.lastUse = uses.incrementAndGet();
            Cached old = cache.put(hash, c);
            cachedWeight += c.weight - (old == null ? 0 : old.weight);
            while (cachedWeight > budget) {
                Map.Entry<String, Cached> eldest = null;
                for (Map.Entry<String, Cached> e : cache.entrySet()) {
                    if (eldest == null || e.getValue().lastUse < eldest.getValue().lastUse) {
                        eldest = e;
                    }
                }
                cache.remove(eldest.getKey());
                cachedWeight -= eldest.getValue().weight;
            }
        }
    }
}
