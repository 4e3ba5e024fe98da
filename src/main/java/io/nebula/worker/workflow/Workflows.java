package io.nebula.worker.workflow;

import io.nebula.worker.action.ActionRegistry;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * The entry point to workflow definitions: load and validate files or text for submit and the
 * {@code validate} command, and compile stored canonical definitions for the runtime.
 *
 * <p>Compiled workflows are cached by content hash (a bounded LRU), so CEL compiles each
 * definition once per process however many executions use it. Thread-safe.
 */
public final class Workflows {
    private static final int CACHE_SIZE = 256;

    private final ActionRegistry actions;
    private final Expressions expressions;
    private final Limits limits;
    private final Map<String, CompiledWorkflow> cache = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompiledWorkflow> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    public Workflows(ActionRegistry actions, Limits limits) {
        this.actions = Objects.requireNonNull(actions, "actions");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.expressions = new Expressions(limits);
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Reads a JSON ({@code .json}) or YAML ({@code .yaml}, {@code .yml}) file; other names are
     * sniffed (a leading '{' means JSON). Problems are located by the path as given.
     *
     * @throws WorkflowInvalidException with every problem found
     * @throws IOException when the file cannot be read
     */
    public LoadedWorkflow load(Path file) throws IOException, WorkflowInvalidException {
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
        return loadText(text, source);
    }

    /**
     * Validates definition text; {@code sourceName} labels problems and, by its extension,
     * chooses JSON or YAML.
     */
    public LoadedWorkflow loadText(String text, String sourceName) throws WorkflowInvalidException {
        if (text.indexOf('\0') >= 0) {
            throw new WorkflowInvalidException(
                    List.of(new Problem(sourceName, 0, 0, "", null, "definition contains a NUL character")));
        }
        DefinitionReader.Parsed parsed = DefinitionReader.read(text, sourceName, limits);
        // Compile the sorted tree, not the text's order: a worker that later compiles the stored
        // canonical text must build the same thing (object key order reaches rendered outputs).
        // Pointers are the same in both trees, so the source index still applies.
        JsonNode sorted = Canonical.sorted(parsed.tree());
        String canonical = Canonical.json(sorted);
        String hash = Canonical.sha256(canonical);
        CompiledWorkflow compiled = DefinitionValidator.compile(sorted, parsed.index(), actions, expressions, hash);
        put(hash, compiled);
        return new LoadedWorkflow(canonical, hash, compiled);
    }

    /**
     * Compiles a stored canonical definition, from the cache when this process has seen it.
     *
     * @throws WorkflowInvalidException when it no longer validates here (for instance, an action
     *     this worker does not have)
     */
    public CompiledWorkflow compile(String canonicalJson) throws WorkflowInvalidException {
        String hash = Canonical.sha256(canonicalJson);
        CompiledWorkflow hit = get(hash);
        if (hit != null) {
            return hit;
        }
        String label = "workflow " + hash.substring(0, 12);
        DefinitionReader.Parsed parsed = DefinitionReader.read(canonicalJson, label + ".json", limits);
        CompiledWorkflow compiled =
                DefinitionValidator.compile(parsed.tree(), SourceIndex.empty(label), actions, expressions, hash);
        put(hash, compiled);
        return compiled;
    }

    /**
     * As {@link #compile(String)}, looking the definition up by {@code hash}, the content hash it
     * was stored under, so a process that compiled it before does not hash the text again on
     * every attempt. On a miss the text is hashed and compiled under its real hash, so a wrong
     * {@code hash} costs time, never correctness.
     */
    public CompiledWorkflow compile(String hash, String canonicalJson) throws WorkflowInvalidException {
        CompiledWorkflow hit = hash == null ? null : get(hash);
        return hit != null ? hit : compile(canonicalJson);
    }

    private synchronized CompiledWorkflow get(String hash) {
        return cache.get(hash);
    }

    private synchronized void put(String hash, CompiledWorkflow w) {
        cache.put(hash, w);
    }
}
