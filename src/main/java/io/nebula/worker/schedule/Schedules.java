package io.nebula.worker.schedule;

import io.nebula.worker.queue.CheckedInput;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.InputGuard;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.queue.SubmitRejectedException;
import io.nebula.worker.workflow.DeployedWorkflows;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.WorkflowInvalidException;
import io.nebula.worker.workflow.WorkflowNotFoundException;
import io.nebula.worker.workflow.Workflows;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What operators do with schedules, for the command line, the demo and embedding applications:
 * create one from a {@link ScheduleSpec} (workflow file, input and cron checked first, nothing
 * written when any is wrong), make the stored schedules match a schedule file ({@link #apply}),
 * pause and resume, and list upcoming fire times. New and changed timings start from the
 * database clock.
 */
public final class Schedules {

    private final ExecutionStore store;
    private final Workflows workflows;
    private final String defaultQueue;
    private final int defaultMaxRetries;
    private final long maxInputBytes;
    private final long maxInputValues;

    /**
     * @param defaultQueue the queue of schedules that name none
     * @param defaultMaxRetries retries of schedules whose workflow and spec name none
     */
    public Schedules(
            ExecutionStore store, Workflows workflows, String defaultQueue, int defaultMaxRetries, long maxInputBytes) {
        this(store, workflows, defaultQueue, defaultMaxRetries, maxInputBytes, Long.MAX_VALUE);
    }

    /**
     * As {@link #Schedules(ExecutionStore, Workflows, String, int, long)}, with inputs of at most
     * {@code maxInputValues} JSON values ({@code limits.execution_values}), checked with the rest
     * of a schedule before anything is written.
     */
    public Schedules(
            ExecutionStore store,
            Workflows workflows,
            String defaultQueue,
            int defaultMaxRetries,
            long maxInputBytes,
            long maxInputValues) {
        this.store = store;
        this.workflows = workflows;
        this.defaultQueue = defaultQueue;
        this.defaultMaxRetries = defaultMaxRetries;
        this.maxInputBytes = maxInputBytes;
        this.maxInputValues = maxInputValues;
    }

    /** A checked spec: its workflow, its parsed cron and the schedule to store. */
    public record Resolved(ScheduleSpec spec, LoadedWorkflow workflow, CronSchedule cron, Schedule schedule) {}

    /**
     * Checks a spec and builds the schedule it describes, first firing after {@code now}. Writes
     * nothing.
     *
     * @throws InvalidScheduleException for a bad name, cron, time zone or input (message says where)
     * @throws WorkflowInvalidException for a bad workflow file
     * @throws IOException when the workflow file cannot be read
     */
    public Resolved resolve(ScheduleSpec spec, Instant now) throws IOException, WorkflowInvalidException {
        String where = spec.prefix();
        // Every check that needs nothing else runs, so one pass names every problem of the spec.
        List<String> problems = new ArrayList<>();
        try {
            ScheduleSpec.checkName(spec.name());
        } catch (InvalidScheduleException e) {
            problems.add(where + e.getMessage());
        }
        CronSchedule cron = null;
        try {
            cron = CronSchedule.parse(spec.cron(), spec.timezone());
        } catch (InvalidScheduleException e) {
            problems.add(where + e.getMessage());
        }
        String queue = spec.queue() == null ? defaultQueue : spec.queue();
        String queueProblem = InputGuard.queueProblem(queue);
        if (queueProblem != null) {
            problems.add(where + queueProblem);
        }
        String input = spec.inputJson() == null || spec.inputJson().isBlank() ? "{}" : spec.inputJson();
        CheckedInput checked = null;
        try {
            // The spec's prefix names where it is; the message starts with what is wrong.
            checked = InputGuard.parse(input, maxInputBytes, maxInputValues, "");
        } catch (SubmitRejectedException e) {
            problems.add(where + e.getMessage());
        }
        LoadedWorkflow wf;
        try {
            wf = workflow(spec);
        } catch (InvalidScheduleException e) {
            problems.add(e.getMessage());
            throw invalid(problems);
        } catch (WorkflowInvalidException e) {
            if (problems.isEmpty()) {
                throw e;
            }
            e.problems().forEach(p -> problems.add(where + p.render()));
            throw invalid(problems);
        } catch (IOException e) {
            if (problems.isEmpty()) {
                throw e;
            }
            problems.add(where + "cannot read workflow " + spec.workflow() + ": " + why(e));
            throw invalid(problems);
        }
        String children = Workflows.storedChildrenProblem(
                wf, h -> store.workflowGet(h).map(io.nebula.worker.queue.WorkflowDocument::definitionJson));
        if (children != null) {
            problems.add(where + children);
        }
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        List<String> mismatches = wf.validateInputValue(checked.value());
        if (!mismatches.isEmpty()) {
            throw new InvalidScheduleException(where + "the input does not match the input schema of '" + wf.name()
                    + "': " + String.join("; ", mismatches));
        }
        int retries = spec.maxRetries() != null
                ? spec.maxRetries()
                : wf.maxRetries() != null ? wf.maxRetries() : defaultMaxRetries;
        Schedule s = Schedule.define(
                        spec.name(),
                        wf.hash(),
                        wf.name(),
                        cron.expression(),
                        cron.zone().getId(),
                        checked.value().toString(),
                        queue,
                        retries + 1,
                        spec.overlap() == null ? Schedule.Overlap.ALLOW : spec.overlap(),
                        spec.catchUp() == null ? Schedule.CatchUp.LATEST : spec.catchUp(),
                        cron.nextAfter(now))
                .withPaused(Boolean.TRUE.equals(spec.paused()));
        return new Resolved(spec, wf, cron, s);
    }

    /**
     * The spec's workflow: a definition file, or a workflow deployed by name ({@code NAME} or
     * {@code NAME@HASH}, see {@link DeployedWorkflows}). A schedule keeps the version it resolved
     * to; {@code schedules apply} resolves a name again, so it picks up a later deploy.
     */
    private LoadedWorkflow workflow(ScheduleSpec spec) throws IOException, WorkflowInvalidException {
        String ref = spec.workflow().toString();
        if (DeployedWorkflows.isFile(ref)) {
            return workflows.load(spec.workflow());
        }
        try {
            return DeployedWorkflows.byName(store, workflows, ref);
        } catch (WorkflowNotFoundException e) {
            throw new InvalidScheduleException(spec.prefix() + "no file '" + ref + "', and " + e.getMessage());
        }
    }

    /**
     * Stores a new schedule (and its workflow definition).
     *
     * @return the stored schedule, or empty when one with that name exists (nothing changed)
     */
    public Optional<Schedule> create(ScheduleSpec spec) throws IOException, WorkflowInvalidException {
        Resolved r = resolve(spec, store.databaseNow());
        r.workflow().documents().forEach(store::workflowPut);
        if (!store.scheduleCreate(r.schedule())) {
            return Optional.empty();
        }
        return store.scheduleGet(spec.name());
    }

    /** What {@link #apply} did (or, in a dry run, would do) to one schedule. */
    public record Change(String name, Kind kind, String detail) {
        /** The kinds of change. */
        public enum Kind {
            CREATED,
            UPDATED,
            UNCHANGED,
            DELETED
        }
    }

    /**
     * Makes the stored schedules match {@code specs}: creates the missing ones, updates those that
     * differ, deletes stored schedules the specs do not name. Every spec is checked before anything
     * is written. Idempotent: a second apply of the same file changes nothing, and an unchanged
     * timing keeps its next fire time (no fire is lost or repeated).
     */
    public List<Change> apply(List<ScheduleSpec> specs, boolean dryRun) throws IOException, WorkflowInvalidException {
        Instant now = store.databaseNow();
        List<Resolved> resolved = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (ScheduleSpec spec : specs) {
            try {
                resolved.add(resolve(spec, now));
            } catch (InvalidScheduleException e) {
                problems.add(e.getMessage());
            } catch (WorkflowInvalidException e) {
                String where = spec.prefix();
                e.problems().forEach(p -> problems.add(where + p.render()));
            } catch (IOException e) {
                problems.add(spec.prefix() + "cannot read workflow " + spec.workflow() + ": " + why(e));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidScheduleException(String.join("\n", problems));
        }
        Map<String, Schedule> stored = new LinkedHashMap<>();
        for (Schedule s : store.scheduleList()) {
            stored.put(s.name(), s);
        }
        List<Change> changes = new ArrayList<>();
        for (Resolved r : resolved) {
            Schedule want = r.schedule();
            Schedule have = stored.remove(want.name());
            if (have == null) {
                changes.add(new Change(want.name(), Change.Kind.CREATED, "next fire " + want.nextFireAt()));
                if (!dryRun) {
                    r.workflow().documents().forEach(store::workflowPut);
                    store.scheduleSave(want);
                }
                continue;
            }
            boolean paused =
                    r.spec().paused() == null ? have.paused() : r.spec().paused();
            if (have.sameDefinition(want) && have.paused() == paused) {
                changes.add(new Change(want.name(), Change.Kind.UNCHANGED, ""));
                continue;
            }
            Schedule next = want.withPaused(paused)
                    .withNextFireAt(have.sameTiming(want) ? have.nextFireAt() : want.nextFireAt());
            changes.add(new Change(want.name(), Change.Kind.UPDATED, differences(have, next)));
            if (!dryRun) {
                r.workflow().documents().forEach(store::workflowPut);
                store.scheduleSave(next);
            }
        }
        for (Schedule gone : stored.values()) {
            changes.add(new Change(gone.name(), Change.Kind.DELETED, "not in the file"));
            if (!dryRun) {
                store.scheduleDelete(gone.name());
            }
        }
        return changes;
    }

    private static String differences(Schedule a, Schedule b) {
        List<String> d = new ArrayList<>();
        if (!a.cron().equals(b.cron())) {
            d.add("cron " + a.cron() + " -> " + b.cron());
        }
        if (!a.timezone().equals(b.timezone())) {
            d.add("timezone " + a.timezone() + " -> " + b.timezone());
        }
        if (!a.workflowHash().equals(b.workflowHash())) {
            d.add("workflow " + a.workflowName() + " ("
                    + a.workflowHash()
                            .substring(0, Math.min(12, a.workflowHash().length())) + ") -> " + b.workflowName() + " ("
                    + b.workflowHash()
                            .substring(0, Math.min(12, b.workflowHash().length())) + ")");
        }
        if (!a.inputJson().equals(b.inputJson())) {
            d.add("input");
        }
        if (!a.queue().equals(b.queue())) {
            d.add("queue " + a.queue() + " -> " + b.queue());
        }
        if (a.maxAttempts() != b.maxAttempts()) {
            d.add("max_retries " + (a.maxAttempts() - 1) + " -> " + (b.maxAttempts() - 1));
        }
        if (a.overlap() != b.overlap()) {
            d.add("overlap " + a.overlap().dbName() + " -> " + b.overlap().dbName());
        }
        if (!a.catchUp().equals(b.catchUp())) {
            d.add("catch_up " + a.catchUp() + " -> " + b.catchUp());
        }
        if (a.paused() != b.paused()) {
            d.add(b.paused() ? "paused" : "resumed");
        }
        return String.join(", ", d);
    }

    /** Pauses a schedule; returns {@code false} when there is none by that name. */
    public boolean pause(String name) {
        return store.schedulePause(name, true, null);
    }

    /**
     * Resumes a schedule from now: its next fire time is the first after the database clock, so
     * the time it spent paused is not caught up. Returns {@code false} when there is none.
     */
    public boolean resume(String name) {
        return resume(name, null);
    }

    /** As {@link #resume(String)}, resuming as of {@code now} ({@code null}: the database clock). */
    public boolean resume(String name, Instant now) {
        return resume(store, name, now);
    }

    /**
     * Resumes a schedule of {@code store} as {@link #resume(String, Instant)} does, for callers that
     * only pause and resume (the console) and so have no workflows to resolve specs with.
     */
    public static boolean resume(ExecutionStore store, String name, Instant now) {
        Optional<Schedule> s = store.scheduleGet(name);
        if (s.isEmpty()) {
            return false;
        }
        Instant from = now == null ? s.get().now() : now;
        Instant next = CronSchedule.parse(s.get().cron(), s.get().timezone()).nextAfter(from);
        return store.schedulePause(name, false, s.get().paused() ? next : null);
    }

    /** The next {@code n} fire times of a stored schedule after {@code now}. */
    public static List<Instant> upcoming(Schedule s, Instant now, int n) {
        CronSchedule cron = CronSchedule.parse(s.cron(), s.timezone());
        List<Instant> out = new ArrayList<>();
        Instant first = s.nextFireAt().isAfter(now) ? s.nextFireAt() : cron.nextAfter(now);
        out.add(first);
        out.addAll(cron.next(first, n - 1));
        return out;
    }

    private static InvalidScheduleException invalid(List<String> problems) {
        return new InvalidScheduleException(String.join("\n", problems));
    }

    /** What went wrong reading a file, in words: a missing file's exception message is only its path. */
    static String why(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return String.valueOf(e.getMessage());
    }
}
