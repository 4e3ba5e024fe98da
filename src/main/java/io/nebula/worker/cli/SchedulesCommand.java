package io.nebula.worker.cli;

import io.nebula.worker.app.WorkflowCatalog;
import io.nebula.worker.inspect.HumanTime;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.schedule.CronSchedule;
import io.nebula.worker.schedule.Schedules;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code nebula-worker schedules ...}: cron schedules that submit a workflow at fixed times. Every
 * worker fires due schedules (exactly one execution per schedule and fire time, whichever worker
 * fires); these commands only change or read the stored schedules. {@code create} and {@code
 * apply} live in their own classes.
 */
@Command(
        name = "schedules",
        description = "Create, list, show, pause, resume, delete and apply cron schedules",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            SchedulesCreateCommand.class,
            SchedulesCommand.ListCommand.class,
            SchedulesCommand.ShowCommand.class,
            SchedulesCommand.PauseCommand.class,
            SchedulesCommand.ResumeCommand.class,
            SchedulesCommand.DeleteCommand.class,
            SchedulesApplyCommand.class
        })
final class SchedulesCommand {
    /** How many upcoming fire times {@code show} lists. */
    static final int UPCOMING = 5;

    @Mixin
    CommonOptions common;

    /** The schedule service for a command, on an open store. */
    static Schedules schedules(OpsCommand c, ExecutionStore store) {
        return new Schedules(
                store,
                WorkflowCatalog.of(c.config()),
                c.config().worker().queues().get(0),
                c.config().queue().maxRetries(),
                c.config().queue().maxInputBytes(),
                c.config().limits().executionValues());
    }

    static CommandFailure noSchedule(String name) {
        return new CommandFailure(ExitCode.NOT_FOUND, "no schedule named '" + Table.clean(name) + "'");
    }

    /** {@code schedules list}: every schedule with its next and last fire. */
    @Command(name = "list", description = "List schedules with their next and last fire times")
    static final class ListCommand extends OpsCommand {
        @Override
        protected int run() {
            List<Schedule> all;
            try (ExecutionStore store = openStore()) {
                all = store.scheduleList();
            }
            if (json) {
                ArrayNode a = JsonViews.array();
                all.forEach(s -> a.add(JsonViews.schedule(s)));
                JsonViews.print(out(), a);
                return ExitCode.OK;
            }
            if (all.isEmpty()) {
                out().println("No schedules. Create one with `nebula-worker schedules create NAME --workflow FILE"
                        + " --cron EXPR`.");
                out().flush();
                return ExitCode.OK;
            }
            Table t = new Table(
                    "NAME",
                    "WORKFLOW",
                    "CRON",
                    "TIMEZONE",
                    "QUEUE",
                    "STATE",
                    "NEXT FIRE",
                    "LAST FIRE",
                    "LAST EXECUTION");
            for (Schedule s : all) {
                t.row(
                        s.name(),
                        s.workflowName(),
                        s.cron(),
                        s.timezone(),
                        s.queue(),
                        s.paused() ? "paused" : "active",
                        s.paused() ? "-" : HumanTime.instantAndRelative(s.nextFireAt(), s.now()),
                        HumanTime.instant(s.lastFireAt()),
                        s.lastExecutionId());
            }
            t.print(out());
            return ExitCode.OK;
        }
    }

    /** {@code schedules show NAME}: the definition, the last fire and the next five fire times. */
    @Command(
            name = "show",
            description = "Show one schedule with its next five fire times",
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:done", "1:database failure", "2:bad flags or configuration", "3:no such schedule"})
    static final class ShowCommand extends OpsCommand {
        @Parameters(paramLabel = "NAME", description = "The schedule's name")
        String name;

        @Override
        protected int run() {
            Schedule s;
            Optional<ExecutionView> last;
            try (ExecutionStore store = openStore()) {
                s = store.scheduleGet(name).orElseThrow(() -> noSchedule(name));
                last = s.lastExecutionId() == null ? Optional.empty() : store.executionGet(s.lastExecutionId());
            }
            List<Instant> upcoming = Schedules.upcoming(s, s.now(), UPCOMING);
            String words = CronSchedule.parse(s.cron(), s.timezone()).describe();
            if (json) {
                ObjectNode o = JsonViews.schedule(s);
                o.put("description", words);
                ArrayNode n = o.putArray("next_fire_times");
                upcoming.forEach(t -> n.add(t.toString()));
                o.put("last_execution_state", last.map(v -> v.state().dbName()).orElse(null));
                JsonViews.print(out(), o);
                return ExitCode.OK;
            }
            PrintWriter out = out();
            out.println("Schedule '" + Table.clean(s.name()) + "': " + (s.paused() ? "paused" : "active"));
            field(
                    out,
                    "workflow",
                    s.workflowName() + " (hash " + s.workflowHash().substring(0, 12) + ")");
            field(out, "cron", s.cron() + " in " + s.timezone() + ": " + words);
            field(out, "queue", s.queue());
            field(out, "input", s.inputJson());
            field(
                    out,
                    "policy",
                    "overlap " + s.overlap().dbName() + ", catch-up " + s.catchUp() + ", max retries "
                            + (s.maxAttempts() - 1));
            field(
                    out,
                    "last fire",
                    s.lastFireAt() == null
                            ? "never"
                            : HumanTime.instantAndRelative(s.lastFireAt(), s.now()) + ", execution "
                                    + s.lastExecutionId()
                                    + last.map(v -> " (" + v.state().dbName() + ")")
                                            .orElse(""));
            String prefix = s.paused() ? "would fire" : "next fires";
            for (int i = 0; i < upcoming.size(); i++) {
                field(out, i == 0 ? prefix : "", HumanTime.instantAndRelative(upcoming.get(i), s.now()));
            }
            out.flush();
            return ExitCode.OK;
        }

        private static void field(PrintWriter out, String name, String value) {
            out.println("  " + name + " ".repeat(Math.max(1, 12 - name.length())) + Table.clean(value));
        }
    }

    /** {@code schedules pause NAME}: stops firing; executions already fired carry on. */
    @Command(
            name = "pause",
            description = "Stop a schedule firing (executions already fired carry on)",
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:done", "1:database failure", "2:bad flags or configuration", "3:no such schedule"})
    static final class PauseCommand extends OpsCommand {
        @Parameters(paramLabel = "NAME", description = "The schedule's name")
        String name;

        @Override
        protected int run() {
            try (ExecutionStore store = openStore()) {
                if (!schedules(this, store).pause(name)) {
                    throw noSchedule(name);
                }
            }
            return done(this, name, "paused", "schedule '" + Table.clean(name) + "' is paused");
        }
    }

    /** {@code schedules resume NAME}: fires again from the next fire time after now. */
    @Command(
            name = "resume",
            description = "Let a paused schedule fire again, from its next fire time after now",
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:done", "1:database failure", "2:bad flags or configuration", "3:no such schedule"})
    static final class ResumeCommand extends OpsCommand {
        @Parameters(paramLabel = "NAME", description = "The schedule's name")
        String name;

        @Override
        protected int run() {
            Schedule s;
            try (ExecutionStore store = openStore()) {
                if (!schedules(this, store).resume(name)) {
                    throw noSchedule(name);
                }
                s = store.scheduleGet(name).orElseThrow(() -> noSchedule(name));
            }
            return done(
                    this,
                    name,
                    "resumed",
                    "schedule '" + Table.clean(name) + "' is active; it next fires at "
                            + HumanTime.instantAndRelative(s.nextFireAt(), s.now())
                            + " (fire times while it was paused are not caught up)");
        }
    }

    /** {@code schedules delete NAME}: removes the schedule; executions it fired stay. */
    @Command(
            name = "delete",
            description = "Delete a schedule (executions it fired stay)",
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:done", "1:database failure", "2:bad flags or configuration", "3:no such schedule"})
    static final class DeleteCommand extends OpsCommand {
        @Parameters(paramLabel = "NAME", description = "The schedule's name")
        String name;

        @Override
        protected int run() {
            try (ExecutionStore store = openStore()) {
                if (!store.scheduleDelete(name)) {
                    throw noSchedule(name);
                }
            }
            return done(this, name, "deleted", "schedule '" + Table.clean(name) + "' is deleted");
        }
    }

    private static int done(OpsCommand c, String name, String result, String message) {
        if (c.json) {
            ObjectNode o = JsonViews.object();
            o.put("name", name);
            o.put("result", result);
            JsonViews.print(c.out(), o);
        } else {
            c.out().println(message);
            c.out().flush();
        }
        return ExitCode.OK;
    }
}
