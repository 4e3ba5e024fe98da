package io.nebula.worker.cli;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.schedule.InvalidScheduleException;
import io.nebula.worker.schedule.ScheduleFile;
import io.nebula.worker.schedule.ScheduleSpec;
import io.nebula.worker.schedule.Schedules;
import io.nebula.worker.workflow.WorkflowInvalidException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code schedules apply FILE}: makes the stored schedules match a YAML or TOML schedule file, for
 * schedules kept in version control. Missing ones are created, changed ones updated (an unchanged
 * cron keeps its next fire time), and stored schedules the file does not name are deleted. Every
 * schedule in the file is checked before anything is written; applying the same file again
 * changes nothing. {@code --dry-run} prints the plan only.
 */
@Command(
        name = "apply",
        description = "Make the stored schedules match a YAML or TOML schedule file (creates, updates, deletes)",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:done",
            "1:database or I/O failure",
            "2:bad flags or configuration, or a queue no worker has served and no one created",
            "4:the file, a workflow, an input or a cron expression is invalid; nothing was written"
        })
final class SchedulesApplyCommand extends OpsCommand {
    @Parameters(paramLabel = "FILE", description = "The schedule file (.yaml, .yml or .toml)")
    Path file;

    @Option(names = "--dry-run", description = "Print what would change without changing anything")
    boolean dryRun;

    @Option(
            names = "--force",
            description = "Apply it even if a schedule's queue has not been served by any worker nor created")
    boolean force;

    @Override
    protected int run() {
        List<Schedules.Change> changes;
        try {
            List<ScheduleSpec> specs = ScheduleFile.read(file);
            try (ExecutionStore store = openStore()) {
                requireKnownQueues(store, specs);
                changes = SchedulesCommand.schedules(this, store).apply(specs, dryRun);
            }
        } catch (ScheduleFile.InvalidFileException e) {
            throw new CommandFailure(
                    ExitCode.INVALID,
                    e.getMessage() + "; nothing was written",
                    e.problems().stream().map(p -> "  " + p).toList());
        } catch (InvalidScheduleException e) {
            List<String> lines = List.of(e.getMessage().split("\n"));
            throw new CommandFailure(
                    ExitCode.INVALID,
                    file + " has invalid schedules (" + lines.size() + " problem" + (lines.size() == 1 ? "" : "s")
                            + "); nothing was written",
                    lines.stream().map(p -> "  " + p).toList());
        } catch (WorkflowInvalidException e) {
            throw new CommandFailure(
                    ExitCode.INVALID,
                    "a workflow named in " + file + " is invalid; nothing was written",
                    e.problems().stream().map(p -> "  " + p.render()).toList());
        } catch (IOException e) {
            String why = e instanceof NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
            throw new CommandFailure(ExitCode.INVALID, "cannot read " + file + ": " + why + "; nothing was written");
        }
        if (json) {
            ObjectNode o = JsonViews.object();
            o.put("file", file.toString());
            o.put("dry_run", dryRun);
            ArrayNode a = o.putArray("changes");
            for (Schedules.Change c : changes) {
                ObjectNode x = a.addObject();
                x.put("name", c.name());
                x.put("change", c.kind().name().toLowerCase(Locale.ROOT));
                x.put("detail", c.detail());
            }
            JsonViews.print(out(), o);
            return ExitCode.OK;
        }
        if (changes.isEmpty()) {
            out().println("no schedules in " + file + " and none stored; nothing to do");
        }
        for (Schedules.Change c : changes) {
            String verb = switch (c.kind()) {
                case CREATED -> dryRun ? "would create" : "created";
                case UPDATED -> dryRun ? "would update" : "updated";
                case UNCHANGED -> "unchanged";
                case DELETED -> dryRun ? "would delete" : "deleted";
            };
            out().println(String.format(
                    Locale.ROOT,
                    "%-13s %s%s",
                    verb,
                    Table.clean(c.name()),
                    c.detail().isEmpty() ? "" : ": " + Table.clean(c.detail())));
        }
        out().flush();
        return ExitCode.OK;
    }

    /** Refuses the file (exit 2, naming every such schedule) when a schedule's queue is not known. */
    private void requireKnownQueues(ExecutionStore store, List<ScheduleSpec> specs) {
        if (force) {
            return;
        }
        List<String> problems = new java.util.ArrayList<>();
        java.util.SortedSet<String> known =
                KnownQueues.known(store, config().worker().queues());
        for (ScheduleSpec spec : specs) {
            String problem = spec.queue() == null ? null : KnownQueues.problem(known, spec.queue());
            if (problem != null) {
                problems.add("  " + spec.prefix() + problem);
            }
        }
        if (!problems.isEmpty()) {
            throw new CommandFailure(
                    ExitCode.USAGE,
                    file + " names queues that are not known; nothing was written; give --force to apply it anyway,"
                            + " or create them with `nebula-worker queues create`",
                    problems);
        }
    }
}
