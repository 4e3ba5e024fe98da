package io.nebula.worker.cli;

import io.nebula.worker.app.SchemaMismatchException;
import io.nebula.worker.app.SubmitOptions;
import io.nebula.worker.app.WorkflowClient;
import io.nebula.worker.queue.CheckedInput;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.SubmitRejectedException;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.workflow.LoadedWorkflow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code submit --inputs FILE.jsonl}: one execution per line, loaded in two passes so that a bad
 * line anywhere enqueues nothing. The first pass checks every line (UTF-8, JSON, size, NUL, the
 * workflow's input schema) and reports every bad line by number; the second enqueues in batches,
 * each batch one round trip and one transaction. Memory stays constant however long the file is,
 * apart from the returned ids.
 *
 * <p>With an idempotency key K, line N gets the key {@code K#N}, so re-running the same command
 * after an interruption enqueues only the lines that were not enqueued before.
 */
final class BulkSubmit {
    /** Bad lines listed in full; the rest are counted. */
    static final int MAX_REPORTED = 20;

    /** What a bulk submit did; {@code created} is less than {@code submitted} for repeated keys. */
    record Result(int submitted, int created, int batches, List<Long> ids) {}

    private BulkSubmit() {}

    /** Every problem in the file, at most {@link #MAX_REPORTED} of them spelled out, then a count. */
    static List<String> check(Path file, LoadedWorkflow workflow, long maxInputBytes, long maxInputValues)
            throws IOException {
        List<String> problems = new ArrayList<>();
        int bad = 0;
        int lines = 0;
        try (JsonLinesFile in = new JsonLinesFile(file, maxInputBytes)) {
            while (true) {
                String problem = null;
                try {
                    JsonLinesFile.Line line = in.next();
                    if (line == null) {
                        break;
                    }
                    lines++;
                    String where = file.getFileName() + " line " + line.number();
                    WorkflowClient.checkInput(workflow, line.text(), maxInputBytes, maxInputValues, where);
                } catch (SchemaMismatchException e) {
                    problem = e.where() + ": does not match the input schema of '" + workflow.name() + "': "
                            + String.join("; ", e.problems());
                } catch (SubmitRejectedException e) {
                    problem = e.getMessage();
                }
                if (problem != null) {
                    bad++;
                    if (problems.size() < MAX_REPORTED) {
                        problems.add(problem);
                    }
                }
            }
        }
        if (bad > MAX_REPORTED) {
            problems.add("... and " + (bad - MAX_REPORTED) + " more bad lines");
        }
        if (lines == 0 && problems.isEmpty()) {
            problems.add(file.getFileName() + ": no inputs (every line is blank)");
        }
        return problems;
    }

    /**
     * Enqueues every line through {@code client}, {@code batchSize} per transaction; the
     * definition is already stored. With an idempotency key K, line N gets {@code K#N}.
     *
     * @throws CommandFailure when a batch fails; earlier batches stay enqueued and the message says
     *     from which line on nothing was
     */
    static Result submit(
            WorkflowClient client,
            LoadedWorkflow workflow,
            SubmitOptions options,
            Path file,
            int batchSize,
            long maxInputBytes,
            long maxInputValues)
            throws IOException {
        List<Long> ids = new ArrayList<>();
        int created = 0;
        int batches = 0;
        String key = options.idempotencyKey();
        try (JsonLinesFile in = new JsonLinesFile(file, maxInputBytes)) {
            List<CheckedInput> batch = new ArrayList<>(batchSize);
            List<String> keys = new ArrayList<>(batchSize);
            int firstLine = 0;
            JsonLinesFile.Line line;
            do {
                line = in.next();
                if (line != null) {
                    if (batch.isEmpty()) {
                        firstLine = line.number();
                    }
                    // Checked again as it is read (the file is not kept in memory); the store does not.
                    try {
                        batch.add(WorkflowClient.checkInput(
                                workflow,
                                line.text(),
                                maxInputBytes,
                                maxInputValues,
                                file.getFileName() + " line " + line.number()));
                    } catch (SubmitRejectedException e) {
                        throw new CommandFailure(
                                ExitCode.INVALID,
                                e.getMessage() + " (the file changed after it was checked); the " + ids.size()
                                        + " executions before line " + firstLine + " are enqueued, nothing from it"
                                        + " on is");
                    }
                    keys.add(key == null ? null : key + "#" + line.number());
                }
                if (!batch.isEmpty() && (line == null || batch.size() == batchSize)) {
                    List<Submitted> done;
                    try {
                        done = client.enqueue(workflow, batch, keys, options);
                    } catch (StoreException e) {
                        throw new CommandFailure(
                                ExitCode.FAILURE,
                                "batch starting at line " + firstLine + " failed: " + e.getMessage()
                                        + "; the " + ids.size() + " executions before it are enqueued, nothing from"
                                        + " line " + firstLine + " on is"
                                        + (key == null
                                                ? ""
                                                : " (run the same command again: the idempotency keys skip what is"
                                                        + " already enqueued)"));
                    }
                    batches++;
                    for (Submitted s : done) {
                        ids.add(s.executionId());
                        created += s.created() ? 1 : 0;
                    }
                    batch.clear();
                    keys.clear();
                }
            } while (line != null);
        }
        return new Result(ids.size(), created, batches, ids);
    }
}
