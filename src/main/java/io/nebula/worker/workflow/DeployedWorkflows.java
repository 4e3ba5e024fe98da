package io.nebula.worker.workflow;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.WorkflowDocument;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Workflows named instead of given as files: {@code NAME} is the latest version deployed under
 * that name ({@code workflows deploy}), {@code NAME@HASH} the stored version (deployed or only
 * submitted) whose content hash starts with {@code HASH}. Submits and schedules resolve their
 * workflow argument here, so both accept a file or a name the same way.
 */
public final class DeployedWorkflows {
    /** Shortest hash prefix accepted after {@code @}. */
    public static final int MIN_HASH_PREFIX = 4;

    private DeployedWorkflows() {}

    /**
     * Whether {@code ref} names a file rather than a deployed workflow: an existing file, or
     * anything that looks like a path (a separator, a {@code .json}, {@code .yaml} or {@code .yml}
     * ending). Anything else is a workflow name.
     */
    public static boolean isFile(String ref) {
        String lower = ref.toLowerCase(Locale.ROOT);
        if (ref.contains("/")
                || ref.contains(java.io.File.separator)
                || lower.endsWith(".json")
                || lower.endsWith(".yaml")
                || lower.endsWith(".yml")) {
            return true;
        }
        try {
            return Files.isRegularFile(Path.of(ref));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /**
     * The stored workflow {@code ref} names, compiled with {@code workflows} (this process's
     * actions and limits). Executions submitted from it are pinned to its hash.
     *
     * @throws WorkflowNotFoundException when nothing, or more than one version, matches
     * @throws WorkflowInvalidException when the stored definition does not validate here (an
     *     action this process does not have)
     */
    public static LoadedWorkflow byName(ExecutionStore store, Workflows workflows, String ref)
            throws WorkflowInvalidException {
        int at = ref.lastIndexOf('@');
        String name = at < 0 ? ref : ref.substring(0, at);
        WorkflowDocument doc;
        if (at < 0) {
            doc = store.workflowLatest(name).orElseThrow(() -> notDeployed(store, name));
        } else {
            String prefix = ref.substring(at + 1).toLowerCase(Locale.ROOT);
            if (prefix.length() < MIN_HASH_PREFIX || !prefix.matches("[0-9a-f]+")) {
                throw new WorkflowNotFoundException(
                        name,
                        "'" + ref + "': after @ give at least " + MIN_HASH_PREFIX
                                + " hex characters of a version's hash (see `nebula-worker workflows show " + name
                                + "`)");
            }
            List<WorkflowDocument> found = store.workflowFind(name, prefix);
            if (found.isEmpty()) {
                throw new WorkflowNotFoundException(
                        name,
                        "workflow '" + name + "' has no stored version whose hash starts with '" + prefix
                                + "' (see `nebula-worker workflows show " + name + "`)");
            }
            if (found.size() > 1) {
                throw new WorkflowNotFoundException(
                        name,
                        "'" + prefix + "' is the start of several versions of workflow '" + name
                                + "'; give more characters of the hash");
            }
            doc = found.get(0);
        }
        return new LoadedWorkflow(
                doc.definitionJson(), doc.hash(), workflows.compile(doc.hash(), doc.definitionJson()));
    }

    private static WorkflowNotFoundException notDeployed(ExecutionStore store, String name) {
        boolean stored = !store.workflowVersions(name).isEmpty();
        return new WorkflowNotFoundException(
                name,
                stored
                        ? "workflow '" + name + "' was submitted from a file but never deployed: deploy it with"
                                + " `nebula-worker workflows deploy FILE`, or name a version as " + name + "@HASH"
                        : "no deployed workflow is named '" + name + "'");
    }
}
