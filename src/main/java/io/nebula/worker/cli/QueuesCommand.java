package io.nebula.worker.cli;

import io.nebula.worker.inspect.HumanTime;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.InputGuard;
import io.nebula.worker.queue.KnownQueue;
import io.nebula.worker.queue.QueueStats;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nebula-worker queues ...}: queue statistics, pausing and limits. */
@Command(
        name = "queues",
        description = "Show queue statistics; create queues; pause and resume claiming from a queue; limit its"
                + " running executions",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            QueuesCommand.StatsCommand.class,
            QueuesCommand.CreateCommand.class,
            QueuesCommand.PauseCommand.class,
            QueuesCommand.ResumeCommand.class,
            QueuesCommand.LimitCommand.class
        })
final class QueuesCommand {
    /** Counts above this are shown as lower bounds, so a huge backlog cannot make stats slow. */
    static final long STATS_CAP = 1_000_000;

    @Mixin
    CommonOptions common;

    /** {@code queues stats}: depth by state, due backlog, oldest wait and finished in the last minute. */
    @Command(name = "stats", description = "Executions per queue and state, oldest wait, throughput")
    static final class StatsCommand extends OpsCommand {
        @Override
        protected int run() {
            List<QueueStats> stats;
            Map<String, Integer> limits;
            try (ExecutionStore store = openStore()) {
                stats = store.queueStats(STATS_CAP);
                limits = KnownQueue.limits(store.queueList());
            }
            if (json) {
                var array = JsonViews.array();
                stats.forEach(s -> array.add(JsonViews.queue(s).put("max_running", limits.get(s.queue()))));
                JsonViews.print(out(), array);
                return ExitCode.OK;
            }
            if (stats.isEmpty()) {
                out().println("No queues yet: a queue exists once a worker serves it or `queues create` made it.");
                out().flush();
                return ExitCode.OK;
            }
            Table t = new Table(
                    "QUEUE",
                    "PAUSED",
                    "DUE",
                    "SCHEDULED",
                    "RUNNING",
                    "LIMIT",
                    "SUCCEEDED",
                    "FAILED",
                    "CANCELLED",
                    "OLDEST DUE",
                    "DONE/MIN");
            boolean capped = false;
            for (QueueStats s : stats) {
                capped |= s.capped();
                t.row(
                        s.queue(),
                        s.paused() ? "yes" : "no",
                        s.dueAvailable(),
                        Math.max(0, s.count(ExecutionState.AVAILABLE) - s.dueAvailable()),
                        s.count(ExecutionState.RUNNING),
                        limits.containsKey(s.queue()) ? limits.get(s.queue()) : "-",
                        s.count(ExecutionState.SUCCEEDED),
                        s.count(ExecutionState.FAILED),
                        s.count(ExecutionState.CANCELLED),
                        s.dueAvailable() == 0 ? "-" : HumanTime.duration(s.oldestDueAge()),
                        s.finishedLastMinute());
            }
            t.print(out());
            if (capped) {
                out().println("Counts stopped at " + STATS_CAP + " rows; they are lower bounds.");
                out().flush();
            }
            return ExitCode.OK;
        }
    }

    /**
     * {@code queues create Q}: makes Q a known queue before any worker serves it, so submits to it
     * are accepted. Creating a queue that exists changes nothing.
     */
    @Command(name = "create", description = "Make a queue known before a worker serves it")
    static final class CreateCommand extends OpsCommand {
        @Parameters(paramLabel = "QUEUE", description = "The queue name")
        String queue;

        @Override
        protected int run() {
            requireName(queue);
            boolean created;
            try (ExecutionStore store = openStore()) {
                created = store.queueCreate(queue);
            }
            if (json) {
                var o = JsonViews.object();
                o.put("queue", queue);
                o.put("created", created);
                JsonViews.print(out(), o);
            } else {
                out().println("queue '" + Table.clean(queue) + "' " + (created ? "created" : "already exists"));
                out().flush();
            }
            return ExitCode.OK;
        }
    }

    /** {@code queues pause Q}: workers stop claiming from Q; running executions finish normally. */
    @Command(name = "pause", description = "Stop workers claiming from a queue (running executions finish)")
    static final class PauseCommand extends OpsCommand {
        @Parameters(paramLabel = "QUEUE", description = "The queue name")
        String queue;

        @Option(names = "--force", description = "Pause it even if no worker has served it and no one created it")
        boolean force;

        @Override
        protected int run() {
            return setPaused(this, queue, true, force);
        }
    }

    /** {@code queues resume Q}: workers claim from Q again. */
    @Command(name = "resume", description = "Let workers claim from a paused queue again")
    static final class ResumeCommand extends OpsCommand {
        @Parameters(paramLabel = "QUEUE", description = "The queue name")
        String queue;

        @Option(names = "--force", description = "Resume it even if no worker has served it and no one created it")
        boolean force;

        @Override
        protected int run() {
            return setPaused(this, queue, false, force);
        }
    }

    /**
     * {@code queues limit Q N}: at most N executions of Q run at once across every worker; {@code
     * --none} lifts the limit. Running executions are not stopped by a lower limit: claims wait
     * until the queue is under it.
     */
    @Command(
            name = "limit",
            description = "Limit how many executions of a queue run at once across all workers (--none lifts it)")
    static final class LimitCommand extends OpsCommand {
        @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue name")
        String queue;

        @Parameters(
                index = "1",
                arity = "0..1",
                paramLabel = "N",
                description = "The most executions of the queue running at once, at least 1")
        Integer maxRunning;

        @Option(names = "--none", description = "Lift the queue's limit")
        boolean none;

        @Option(names = "--force", description = "Limit it even if no worker has served it and no one created it")
        boolean force;

        @Override
        protected int run() {
            if (queue.isBlank()) {
                throw new CommandFailure(ExitCode.USAGE, "the queue name must not be empty");
            }
            if (none == (maxRunning != null)) {
                throw new CommandFailure(
                        ExitCode.USAGE,
                        none
                                ? "give either N or --none, not both; nothing was changed"
                                : "give the most executions of queue '" + Table.clean(queue)
                                        + "' running at once (N), or --none to lift its limit; nothing was changed");
            }
            if (maxRunning != null && maxRunning < 1) {
                throw new CommandFailure(
                        ExitCode.USAGE,
                        "N must be at least 1, not " + maxRunning + " (to stop claiming from the queue, use `queues"
                                + " pause`); nothing was changed");
            }
            if (force) {
                requireName(queue);
            }
            try (ExecutionStore store = openStore()) {
                if (!force) {
                    KnownQueues.require(
                            store,
                            config().worker().queues(),
                            queue,
                            "nothing was changed; give --force to limit it anyway");
                }
                store.queueLimit(queue, maxRunning);
            }
            if (json) {
                var o = JsonViews.object();
                o.put("queue", queue);
                o.put("max_running", maxRunning);
                JsonViews.print(out(), o);
            } else {
                out().println(
                                maxRunning == null
                                        ? "queue '" + Table.clean(queue) + "' has no limit on running executions"
                                        : "queue '" + Table.clean(queue) + "' runs at most " + maxRunning + " execution"
                                                + (maxRunning == 1 ? "" : "s") + " at once across all workers");
                out().flush();
            }
            return ExitCode.OK;
        }
    }

    private static void requireName(String queue) {
        String problem = InputGuard.queueProblem(queue);
        if (problem != null) {
            throw new CommandFailure(ExitCode.USAGE, problem + "; nothing was changed");
        }
    }

    private static int setPaused(OpsCommand c, String queue, boolean paused, boolean force) {
        if (queue.isBlank()) {
            throw new CommandFailure(ExitCode.USAGE, "the queue name must not be empty");
        }
        if (force) {
            // --force may name a queue no one knows yet, which the pause then makes known.
            requireName(queue);
        }
        // Without it, the queue must be known (below): a stored queue whose name an earlier
        // build let through can still be paused and resumed.
        try (ExecutionStore store = c.openStore()) {
            if (!force) {
                KnownQueues.require(
                        store,
                        c.config().worker().queues(),
                        queue,
                        "nothing was " + (paused ? "paused" : "resumed") + "; give --force to "
                                + (paused ? "pause" : "resume") + " it anyway");
            }
            store.queuePause(queue, paused);
        }
        if (c.json) {
            var o = JsonViews.object();
            o.put("queue", queue);
            o.put("paused", paused);
            JsonViews.print(c.out(), o);
        } else {
            c.out()
                    .println("queue '" + Table.clean(queue) + "' is " + (paused ? "paused" : "resumed")
                            + (paused ? "; running executions finish, nothing new is claimed" : ""));
            c.out().flush();
        }
        return ExitCode.OK;
    }
}
