package io.nebula.worker.cli;

import io.nebula.worker.inspect.HumanTime;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nebula-worker workers ...}: the worker registry. */
@Command(
        name = "workers",
        description = "Inspect the worker processes registered in the database",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {WorkersCommand.ListCommand.class})
final class WorkersCommand {
    @Mixin
    CommonOptions common;

    /**
     * {@code workers list}: live workers (last heartbeat within three heartbeat intervals, or
     * {@code --within}), with their queues, load at the last heartbeat and last-seen time.
     */
    @Command(name = "list", description = "List live workers with their queues, load and last heartbeat")
    static final class ListCommand extends OpsCommand {
        @Option(
                names = "--within",
                paramLabel = "<DURATION>",
                converter = DurationText.Converter.class,
                description = "Workers seen within this long, e.g. 90s or 1h [default: 3 heartbeat intervals]")
        Duration within;

        @Override
        protected int run() {
            Duration window = within != null ? within : liveWithin();
            List<WorkerInfo> workers;
            Instant now;
            try (ExecutionStore store = openStore()) {
                workers = store.workerList(window);
                now = store.databaseNow();
            }
            if (json) {
                var array = JsonViews.array();
                workers.forEach(w -> array.add(JsonViews.worker(w, now)));
                JsonViews.print(out(), array);
                return ExitCode.OK;
            }
            if (workers.isEmpty()) {
                out().println("No worker has sent a heartbeat in the last " + HumanTime.duration(window) + ".");
                out().flush();
                return ExitCode.OK;
            }
            Table t = new Table("WORKER", "POOL", "HOST", "PID", "QUEUES", "LOAD", "VERSION", "STARTED", "LAST SEEN");
            for (WorkerInfo w : workers) {
                t.row(
                        w.workerId(),
                        w.poolId(),
                        w.host(),
                        w.pid(),
                        String.join(",", w.queues()),
                        w.active() + "/" + w.concurrency(),
                        w.version(),
                        HumanTime.instant(w.startedAt()),
                        HumanTime.relative(w.lastSeenAt(), now));
            }
            t.print(out());
            return ExitCode.OK;
        }
    }
}
