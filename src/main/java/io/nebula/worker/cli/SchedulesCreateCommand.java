package io.nebula.worker.cli;

import io.nebula.worker.inspect.HumanTime;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.InputGuard;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.schedule.InvalidScheduleException;
import io.nebula.worker.schedule.ScheduleSpec;
import io.nebula.worker.schedule.Schedules;
import io.nebula.worker.workflow.WorkflowInvalidException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code schedules create NAME --workflow FILE|NAME --cron EXPR ...}: checks the workflow (a file,
 * or a workflow deployed by name, pinned to its latest version), the
 * input and the cron expression, stores the workflow and the schedule, and prints the next fire
 * times. Nothing is written when anything is invalid (exit 4); a name already taken is exit 5.
 */
@Command(
        name = "create",
        description = "Create a cron schedule that submits a workflow",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:created",
            "1:database or I/O failure",
            "2:bad flags or configuration, or a queue no worker has served and no one created",
            "4:invalid workflow, input, cron expression or time zone; nothing was written",
            "5:a schedule with that name exists"
        })
final class SchedulesCreateCommand extends OpsCommand {
    @Parameters(paramLabel = "NAME", description = "The schedule's name (letters, digits, _ . -)")
    String name;

    @Option(
            names = "--workflow",
            required = true,
            paramLabel = "<FILE|NAME[@HASH]>",
            description = "The workflow: a JSON or YAML file, or the name of a deployed workflow (its latest version)")
    Path workflow;

    @Option(
            names = "--cron",
            required = true,
            paramLabel = "<EXPR>",
            description = "minute hour day-of-month month day-of-week, e.g. '0 2 * * *'; a sixth field in front"
                    + " is seconds")
    String cron;

    @Option(
            names = "--timezone",
            paramLabel = "<ZONE>",
            description = "IANA time zone the cron expression is read in, e.g. Europe/Berlin [default: UTC]")
    String timezone;

    @Option(
            names = "--input",
            paramLabel = "<JSON|@FILE>",
            description = "The input of every execution: JSON text or @FILE [default: {}]")
    String input;

    @Option(
            names = "--queue",
            paramLabel = "<QUEUE>",
            description = "The queue [default: the first of worker.queues, normally default]")
    String queue;

    @Option(
            names = "--overlap",
            paramLabel = "<allow|skip>",
            defaultValue = "allow",
            description = "skip: do not fire while the previous execution still runs [default: allow]")
    String overlap;

    @Option(
            names = "--catch-up",
            paramLabel = "<latest|N|none>",
            defaultValue = "latest",
            description = "Missed fire times to fire after an outage: the latest, the latest N, or none"
                    + " [default: latest]")
    String catchUp;

    @Option(
            names = "--max-retries",
            paramLabel = "<N>",
            description =
                    "Retries after the first attempt [default: the workflow's max_retries, else queue.max_retries]")
    Integer maxRetries;

    @Option(names = "--force", description = "Create it even if no worker has served its queue and no one created it")
    boolean force;

    @Override
    protected int run() {
        Schedule.Overlap o;
        Schedule.CatchUp c;
        try {
            o = Schedule.Overlap.parse(overlap);
            c = Schedule.CatchUp.parse(catchUp);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(ExitCode.USAGE, "--" + e.getMessage());
        }
        if (maxRetries != null && (maxRetries < 0 || maxRetries > 1000)) {
            throw new CommandFailure(ExitCode.USAGE, "--max-retries must be from 0 to 1000");
        }
        String queueProblem = queue == null ? null : InputGuard.queueProblem(queue);
        if (queueProblem != null) {
            throw new CommandFailure(ExitCode.USAGE, "--queue: " + queueProblem);
        }
        String inputJson = JsonArgument.read(
                input,
                "--input",
                "input",
                config().queue().maxInputBytes(),
                config().limits().executionValues());
        ScheduleSpec spec =
                new ScheduleSpec(name, workflow, cron, timezone, inputJson, queue, o, c, maxRetries, null, "");
        Schedule s;
        List<Instant> upcoming;
        try (ExecutionStore store = openStore()) {
            // A taken name first: whatever else is wrong, the name is what stops this create.
            if (store.scheduleGet(name).isPresent()) {
                throw taken();
            }
            if (queue != null && !force) {
                KnownQueues.require(
                        store,
                        config().worker().queues(),
                        queue,
                        "nothing was written; give --force to create the schedule anyway");
            }
            Schedules schedules = SchedulesCommand.schedules(this, store);
            Optional<Schedule> created = schedules.create(spec);
            if (created.isEmpty()) {
                throw taken(); // created by someone else since the look above
            }
            s = created.get();
            upcoming = Schedules.upcoming(s, s.now(), SchedulesCommand.UPCOMING);
        } catch (InvalidScheduleException e) {
            List<String> lines = List.of(e.getMessage().split("\n"));
            if (lines.size() == 1) {
                throw new CommandFailure(ExitCode.INVALID, lines.get(0) + "; nothing was written");
            }
            throw new CommandFailure(
                    ExitCode.INVALID,
                    "the schedule is not valid (" + lines.size() + " problems); nothing was written",
                    lines.stream().map(p -> "  " + p).toList());
        } catch (WorkflowInvalidException e) {
            throw new CommandFailure(
                    ExitCode.INVALID,
                    workflow + " is not a valid workflow (" + e.problems().size() + " problem"
                            + (e.problems().size() == 1 ? "" : "s") + "); nothing was written",
                    e.problems().stream().map(p -> "  " + p.render()).toList());
        } catch (IOException e) {
            String why = e instanceof NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
            throw new CommandFailure(
                    ExitCode.INVALID, "cannot read " + workflow + ": " + why + "; nothing was written");
        }
        if (json) {
            ObjectNode j = JsonViews.schedule(s);
            ArrayNode n = j.putArray("next_fire_times");
            upcoming.forEach(t -> n.add(t.toString()));
            JsonViews.print(out(), j);
        } else {
            out().println("created schedule '" + Table.clean(s.name()) + "': workflow '" + Table.clean(s.workflowName())
                    + "' on queue '" + Table.clean(s.queue()) + "', cron " + s.cron() + " in " + s.timezone());
            out().println("next fires at " + HumanTime.instantAndRelative(upcoming.get(0), s.now()));
            out().flush();
        }
        return ExitCode.OK;
    }

    private CommandFailure taken() {
        return new CommandFailure(
                ExitCode.CONFLICT,
                "a schedule named '" + Table.clean(name) + "' exists; delete it first, or keep schedules in a"
                        + " file and use `schedules apply`");
    }
}
