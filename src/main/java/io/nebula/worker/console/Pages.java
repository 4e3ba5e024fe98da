package io.nebula.worker.console;

import java.util.List;

/**
 * What the console's templates render: one record per page or fragment, every value already
 * turned into display text. The templates escape every value they print; these records never
 * carry markup.
 */
public final class Pages {
    private Pages() {}

    /**
     * What every page shares.
     *
     * @param section the navigation entry to highlight: overview, executions, workflows
     * @param csrf the token every form posts back
     * @param signedIn whether an access token is in force (then a sign-out button is shown)
     * @param store the store, for the header (credentials never appear)
     */
    public record Chrome(String title, String section, String csrf, boolean signedIn, String store, String version) {}

    /**
     * The overview: queues, workers and throughput, refreshed while open.
     *
     * @param notice what the last action did, or {@code null}
     */
    public record Overview(Chrome chrome, OverviewLive live, String notice) {}

    /**
     * The part of the overview that refreshes.
     *
     * @param minutes the labels of the throughput chart's minutes, oldest first
     * @param capped whether some count stopped at its cap and is a lower bound
     */
    public record OverviewLive(
            List<QueueRow> queues,
            List<WorkerRow> workers,
            String computedAt,
            boolean capped,
            String firstMinute,
            String lastMinute) {}

    /**
     * One queue on the overview.
     *
     * @param served whether a live worker serves the queue (nothing claims from it otherwise)
     * @param maxRunning the most of its executions running at once across every worker, {@code
     *     null} when the queue has no limit
     */
    public record QueueRow(
            String name,
            boolean paused,
            boolean served,
            long due,
            long scheduled,
            long running,
            Integer maxRunning,
            long failedLastHour,
            long finishedLastMinute,
            String oldestDue,
            Chart chart,
            String executionsHref,
            String failedHref,
            String pauseHref,
            String resumeHref) {}

    /**
     * A small bar chart: one bar per minute, the failed part drawn on top.
     *
     * @param summary the chart in words, for screen readers and tests
     */
    public record Chart(int width, int height, List<Bar> bars, String summary) {}

    /** One minute of a {@link Chart}: geometry and a tooltip. */
    public record Bar(int x, int y, int width, int height, int failedY, int failedHeight, String title) {}

    /** One live worker on the overview. */
    public record WorkerRow(
            String id,
            String host,
            long pid,
            String version,
            int active,
            int concurrency,
            int loadPercent,
            String queues,
            String lastSeen,
            String started) {}

    /**
     * The executions list with its filters.
     *
     * @param bulkRetryHref the confirmation of a retry of every match, when the filter is the
     *     failed or the cancelled state; otherwise {@code null}
     * @param notice what the last bulk retry did, or {@code null}
     */
    public record Executions(
            Chrome chrome,
            ExecutionsLive live,
            Filters filters,
            List<String> states,
            String bulkRetryHref,
            String notice) {}

    /**
     * The part of the executions list that refreshes (the first page only).
     *
     * @param refreshHref where the live part reloads from, or {@code null} when it does not
     * @param firstHref the first page with the same filters
     * @param nextHref the next page, or {@code null}
     * @param searchNote why the page is short, when a filter no index serves stopped early
     */
    public record ExecutionsLive(
            List<ExecutionRow> rows,
            String refreshHref,
            String firstHref,
            String nextHref,
            String searchNote,
            String problem) {}

    /** The filters as typed, to fill the form again. */
    public record Filters(String state, String workflow, String hash, String queue, String from, String until) {}

    /**
     * One row of the executions list.
     *
     * @param detail what it waits for (available), who runs it (running), or its error (failed,
     *     cancelled); empty for a success
     */
    public record ExecutionRow(
            long id,
            String href,
            String workflow,
            String queue,
            String state,
            boolean cancelRequested,
            String attempts,
            String created,
            String createdAgo,
            String took,
            String detail) {}

    /** One execution. */
    public record Execution(Chrome chrome, ExecutionLive live, String notice) {}

    /**
     * The part of an execution's page that refreshes until the execution finishes.
     *
     * @param refreshHref where it reloads from, or {@code null} once the execution is finished
     * @param explanation the first reason it stands where it does, with notes and a hint
     */
    public record ExecutionLive(
            long id,
            String href,
            String workflow,
            String workflowHref,
            String hash,
            String queue,
            String state,
            boolean cancelRequested,
            String attempts,
            int priority,
            String created,
            String due,
            String started,
            String finished,
            String lease,
            String idempotencyKey,
            String input,
            String output,
            String error,
            String explanation,
            List<String> explanationNotes,
            String hint,
            Dag dag,
            List<NodeRow> nodes,
            List<HistoryRow> history,
            String refreshHref,
            String retryHref,
            String retryFromScratchHref,
            String cancelHref,
            Related parent,
            List<Related> children,
            List<SignalLink> signals) {}

    /** A signal a node of the execution waits for, and where to deliver it. */
    public record SignalLink(String name, String nodeId, String href) {}

    /**
     * The form that delivers a signal: its name is fixed, its data is typed as JSON.
     *
     * @param data the data to show in the form (what was typed, after a refusal), or {@code {}}
     * @param problem why the last data was refused, or {@code null}
     */
    public record SignalForm(
            Chrome chrome,
            long id,
            String workflow,
            String name,
            String nodeId,
            String action,
            String data,
            String problem,
            String backHref) {}

    /**
     * An execution linked to this one by a sub-workflow node: the parent whose node started it,
     * or a child one of its nodes started.
     *
     * @param label "execution N, node 'id'"
     */
    public record Related(long id, String label, String href, String state) {}

    /** The drawn workflow graph. */
    public record Dag(int width, int height, List<DagNode> nodes, List<DagEdge> edges) {}

    /**
     * One node of the drawn graph.
     *
     * @param label the node id, shortened to fit its box
     * @param detail status, attempt and duration in a few words
     */
    public record DagNode(
            String id,
            String label,
            String action,
            String status,
            String detail,
            int x,
            int y,
            int width,
            int height,
            int textX,
            int labelY,
            int detailY,
            String href) {}

    /** One edge of the drawn graph (an SVG path). */
    public record DagEdge(String path, String status) {}

    /** One node in the nodes table. */
    public record NodeRow(
            String id,
            String action,
            String status,
            String attempt,
            String tryNumber,
            String duration,
            String finished,
            String href) {}

    /** One line of the history timeline. */
    public record HistoryRow(
            String at, String event, String transition, String attempt, String worker, String detail) {}

    /** A node opened: its resolved parameters, output and error. */
    public record Node(Chrome chrome, NodePanel panel, String executionHref) {}

    /**
     * What a node shows when opened.
     *
     * @param paramsNote how the parameters shown were obtained, or why they are not resolved
     */
    public record NodePanel(
            long executionId,
            String nodeId,
            String action,
            String status,
            String attempt,
            String tryNumber,
            String duration,
            String started,
            String finished,
            String params,
            String paramsNote,
            String output,
            String error) {}

    /**
     * A confirmation before an action: what it does and a form that does it.
     *
     * @param fields hidden form fields besides the CSRF token
     */
    public record Confirm(
            Chrome chrome,
            String heading,
            String consequence,
            String action,
            List<Field> fields,
            String button,
            boolean danger,
            String backHref) {}

    /** A hidden form field. */
    public record Field(String name, String value) {}

    /** The stored definitions. */
    public record Workflows(Chrome chrome, List<WorkflowRow> rows, String nextHref) {}

    /** One stored definition in the list. */
    public record WorkflowRow(
            String name, String hash, String shortHash, String created, String href, String executionsHref) {}

    /**
     * The stored cron schedules.
     *
     * @param notice what the last action did, or {@code null}
     */
    public record Schedules(Chrome chrome, List<ScheduleRow> rows, String notice) {}

    /**
     * One schedule in the list.
     *
     * @param next the next fire time with how far off it is, or {@code -} while paused
     * @param lastExecutionHref the execution fired last, or {@code null} when it never fired
     * @param actionHref the confirmation page of a pause (active) or a resume (paused)
     */
    public record ScheduleRow(
            String name,
            String workflow,
            String workflowHref,
            String cron,
            String timezone,
            String queue,
            boolean paused,
            String next,
            String last,
            String lastExecution,
            String lastExecutionHref,
            String policy,
            String actionHref) {}

    /** One stored definition: its source and its executions. */
    public record Workflow(
            Chrome chrome,
            String name,
            String hash,
            String created,
            String source,
            Dag dag,
            String executionsHref,
            List<ExecutionRow> recent) {}

    /** The sign-in form, shown for any request without a valid token. */
    public record Login(Chrome chrome, String next, String problem) {}

    /** An error page. */
    public record Error(Chrome chrome, int status, String message, String backHref) {}
}
