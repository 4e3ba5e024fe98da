package io.nebula.worker.cli;

import io.nebula.worker.inspect.HumanTime;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The demo's executions while they run: follows each one through the store (the same way {@code
 * submit --wait} does) plus the node retries its in-process listener hears, prints progress lines
 * prefixed with the run's label, keeps a status line on a terminal, and prints the results table.
 */
final class DemoSession {
    private static final long POLL_MS = 100;

    /** One submitted run and what is known about it. */
    private record Tracked(DemoPlan.Run run, ExecutionWatch watch) {
        String prefix() {
            return "[" + run.label() + " #" + watch.id() + "]";
        }
    }

    private final WorkerApp.Running running;
    private final DemoListener listener;
    private final ProgressPrinter printer;
    private final PrintWriter out;
    private final ExecutionStore store;
    private final Map<Long, Tracked> tracked = new LinkedHashMap<>();
    private final Map<Long, String> lastEvent = new LinkedHashMap<>();
    private final java.util.Set<Long> signalled = new java.util.HashSet<>();
    private final long start = System.nanoTime();

    DemoSession(WorkerApp.Running running, DemoListener listener, ProgressPrinter printer, PrintWriter out) {
        this.running = running;
        this.listener = listener;
        this.printer = printer;
        this.out = out;
        this.store = running.worker().store();
    }

    void awaitReady(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!running.worker().worker().readiness().snapshot().ready()) {
            if (System.nanoTime() > deadline) {
                throw new CommandFailure(
                        ExitCode.FAILURE,
                        "the demo worker did not become ready: "
                                + running.worker()
                                        .worker()
                                        .readiness()
                                        .snapshot()
                                        .reason());
            }
            Thread.sleep(20);
        }
    }

    /** The tracked executions that have not finished (the durable delay, a run that timed out). */
    List<Long> unfinished() {
        List<Long> out = new java.util.ArrayList<>();
        for (long id : tracked.keySet()) {
            store.executionGet(id).filter(v -> !v.state().isTerminal()).ifPresent(v -> out.add(id));
        }
        return out;
    }

    void track(DemoPlan.Run run, long id) {
        Tracked t = new Tracked(run, new ExecutionWatch(id, true));
        tracked.put(id, t);
        printer.line(t.prefix() + " submitted " + run.file() + ", expecting " + run.expect().label);
    }

    /** Follows until every run is settled or {@code timeout} passes; returns whether all settled. */
    boolean followUntilSettled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            poll();
            if (allSettled()) {
                printer.clearStatus();
                return true;
            }
            if (System.nanoTime() > deadline) {
                printer.clearStatus();
                printer.line("time is up after " + HumanTime.duration(timeout) + "; not every example finished");
                return false;
            }
            printer.status(statusLine());
            Thread.sleep(POLL_MS);
        }
    }

    /** Keeps printing progress until {@code stop} opens (Ctrl-C). */
    void followUntil(CountDownLatch stop) throws InterruptedException {
        while (!stop.await(500, TimeUnit.MILLISECONDS)) {
            poll();
        }
    }

    private void poll() {
        Map<Long, List<String>> notes = new LinkedHashMap<>();
        for (DemoListener.Note n : listener.drain()) {
            notes.computeIfAbsent(n.executionId(), k -> new ArrayList<>()).add(n.text());
        }
        for (Tracked t : tracked.values()) {
            List<String> heard = notes.getOrDefault(t.watch().id(), List.of());
            for (String line : t.watch().refresh(store, heard)) {
                printer.line(t.prefix() + " " + line);
            }
            String last = t.watch().lastEvent();
            lastEvent.put(t.watch().id(), last);
            DemoPlan.Signal signal = t.run().signal();
            if (signal != null
                    && "awaiting_signal".equals(last)
                    && signalled.add(t.watch().id())) {
                printer.line(t.prefix() + " delivering signal '" + signal.name() + "' " + signal.data()
                        + " (as a person would: nebula-worker executions signal "
                        + t.watch().id() + " "
                        + signal.name() + " --data '" + signal.data() + "')");
                store.signalSend(t.watch().id(), signal.name(), signal.data());
            }
        }
    }

    private boolean allSettled() {
        return tracked.values().stream()
                .allMatch(t -> t.run()
                        .expect()
                        .settled(t.watch().view(), lastEvent.get(t.watch().id())));
    }

    private String statusLine() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<String> runningNodes = new ArrayList<>();
        for (Tracked t : tracked.values()) {
            ExecutionView v = t.watch().view();
            String state = v.state() == io.nebula.worker.queue.ExecutionState.AVAILABLE
                            && v.runAt().isAfter(v.now())
                    ? "waiting"
                    : v.state().dbName();
            counts.merge(state, 1, Integer::sum);
            String node = listener.runningNode(v.id());
            if (node != null) {
                runningNodes.add(node);
            }
        }
        StringBuilder b = new StringBuilder(tracked.size() + " executions:");
        counts.forEach((s, n) -> b.append(' ').append(n).append(' ').append(s).append(','));
        b.setLength(b.length() - 1);
        if (!runningNodes.isEmpty()) {
            b.append("; running ").append(String.join(", ", runningNodes));
        }
        return b.append("; ").append(DemoCommand.since(start)).toString();
    }

    /** Prints the results table (or JSON); returns how many runs missed their expected state. */
    int printResults(boolean json) {
        int missed = 0;
        ArrayNode array = JsonViews.array();
        Table table = new Table(
                        "ID", "EXAMPLE", "WORKFLOW", "STATE", "ATTEMPTS", "DURATION", "OUTPUT / ERROR", "AS EXPECTED")
                .limit(6, 48);
        for (Tracked t : tracked.values()) {
            ExecutionView v = t.watch().view();
            boolean met = t.run().expect().met(v, lastEvent.get(v.id()));
            missed += met ? 0 : 1;
            String state = v.state() == io.nebula.worker.queue.ExecutionState.AVAILABLE
                            && v.runAt().isAfter(v.now())
                    ? "waiting until " + HumanTime.instant(v.runAt())
                    : v.state().dbName();
            String took =
                    v.finishedAt() == null ? "-" : HumanTime.duration(Duration.between(v.createdAt(), v.finishedAt()));
            String result = v.lastError() != null ? v.lastError() : v.outputJson() == null ? "-" : v.outputJson();
            table.row(
                    v.id(),
                    t.run().label(),
                    v.workflowName(),
                    state,
                    v.attempt() + "/" + v.maxAttempts(),
                    took,
                    result,
                    met ? "yes" : "no, expected " + t.run().expect().label);
            ObjectNode o = JsonViews.execution(v);
            o.put("example", t.run().file());
            o.put("label", t.run().label());
            o.put("expected", t.run().expect().label);
            o.put("as_expected", met);
            array.add(o);
        }
        if (json) {
            JsonViews.print(out, array);
            return missed;
        }
        out.println();
        table.print(out);
        out.println();
        out.println(
                missed == 0
                        ? "All " + tracked.size() + " executions reached their expected state."
                        : missed + " of " + tracked.size() + " executions did not reach their expected state.");
        out.flush();
        return missed;
    }

    /** The id of a run parked in a durable delay, if there is one. */
    Optional<Long> firstWaiting() {
        return tracked.values().stream()
                .filter(t -> "waiting".equals(lastEvent.get(t.watch().id()))
                        && !t.watch().view().state().isTerminal())
                .map(t -> t.watch().id())
                .findFirst();
    }

    /**
     * The execution most worth a closer look afterwards: one with a node that needed more than
     * one try, else one that failed, else the first.
     */
    Optional<Long> showcase() {
        Optional<Long> retried = tracked.values().stream()
                .filter(t -> t.watch().nodes().stream()
                        .anyMatch(n -> n.result() != null && !n.result().tries().isEmpty()))
                .map(t -> t.watch().id())
                .findFirst();
        Optional<Long> failed = tracked.values().stream()
                .filter(t -> t.watch().view() != null
                        && t.watch().view().state() == io.nebula.worker.queue.ExecutionState.FAILED)
                .map(t -> t.watch().id())
                .findFirst();
        return retried.or(() -> failed).or(() -> tracked.keySet().stream().findFirst());
    }
}
