package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.ExecutionCursor;
import io.nebula.worker.queue.ExecutionPage;
import io.nebula.worker.queue.ExecutionQuery;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.ExecutionSummary;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pages of the execution list by keyset, newest first by (created_at, id). Each page seeks to its
 * cursor in an index and reads forward from there; no page counts rows to skip.
 *
 * <p>Each state lives in one index: finished rows (succeeded, failed, cancelled) in {@code
 * executions_recent}, available, failed and cancelled rows in {@code executions_state_recent},
 * running rows in {@code executions_lease}. So a success writes one list entry and a claim none. A
 * page filtered to one state reads the index that holds it ({@code executions_state_recent} where it
 * can, being the narrower); an unfiltered page merges the finished rows, the available rows and the
 * running rows. Filters an index does not serve (a workflow, a queue, a definition hash, the
 * succeeded state among the finished) are checked here, row by row, over at most {@link
 * ExecutionQuery#SCAN_BUDGET} rows per index per page; a page cut short by that budget says so and
 * continues where it stopped. Running rows are few (the workers' total concurrency) and are read
 * with every filter in SQL. A page's reads run in one read-only snapshot, so an execution that
 * changes state while the page is read is listed once, in the state it had when the page began.
 */
final class ExecutionPages {
    private static final int CHUNK = 1_000;
    /** Finished rows, from {@code executions_recent}. */
    private static final String RECENT = "execution_page_recent";
    /** The rows of one state (available, failed or cancelled), from {@code executions_state_recent}. */
    private static final String BY_STATE = "execution_page_state";
    /** 9999-12-31T23:59:59Z, the cursor of a first page without an upper time bound. */
    private static final long FAR_FUTURE_US = 253_402_300_799_000_000L;

    private final Database db;

    ExecutionPages(Database db) {
        this.db = db;
    }

    ExecutionPage page(ExecutionQuery q) {
        // A page of running executions is one statement, which needs no snapshot of its own.
        Mode mode = q.state() == ExecutionState.RUNNING ? Mode.READ : Mode.SNAPSHOT;
        return db.run("execution_page", mode, true, s -> page(s, q));
    }

    private static ExecutionPage page(Session s, ExecutionQuery q) throws SQLException {
        ExecutionCursor start = start(q);
        long sinceUs = q.createdFrom() == null ? 0 : micros(q.createdFrom());
        int want = q.limit() + 1;
        if (q.state() == ExecutionState.RUNNING) {
            return finish(running(s, q, start, sinceUs, want), q.limit(), null, false, 0);
        }
        // The reads share one snapshot (Mode.SNAPSHOT), so each execution is in exactly one of them.
        List<Scan> scans = new ArrayList<>(2);
        List<ExecutionSummary> listed = new ArrayList<>();
        if (q.state() == null) {
            scans.add(
                    scan(s, q, BY_STATE, Params.of("state", ExecutionState.AVAILABLE.dbName()), start, sinceUs, want));
            listed.addAll(scans.getLast().matches());
            listed.addAll(running(s, q, start, sinceUs, want));
            scans.add(scan(s, q, RECENT, Params.of(), start, sinceUs, want));
        } else if (q.state() == ExecutionState.SUCCEEDED) {
            scans.add(scan(s, q, RECENT, Params.of(), start, sinceUs, want));
        } else {
            scans.add(scan(s, q, BY_STATE, Params.of("state", q.state().dbName()), start, sinceUs, want));
        }
        listed.addAll(scans.getLast().matches());
        ExecutionCursor edge = null;
        long scanned = 0;
        boolean budgetSpent = false;
        for (Scan scan : scans) {
            scanned += scan.residual() ? scan.scanned() : 0;
            budgetSpent |= !scan.exhausted() && scan.matches().size() < want;
            // An index read that stopped before its end has unread rows older than its last one,
            // so no row older than the newest such stop may be listed on this page.
            if (!scan.exhausted() && (edge == null || scan.last().isBefore(edge))) {
                edge = scan.last();
            }
        }
        if (edge != null) {
            ExecutionCursor stop = edge;
            listed.removeIf(r -> stop.isBefore(r.cursor()));
        }
        if (q.state() == null) {
            listed.sort(Comparator.comparing(ExecutionSummary::createdAt)
                    .thenComparingLong(ExecutionSummary::id)
                    .reversed());
        }
        // When the page does not fill, it ends at the edge: the next page continues from there.
        return finish(listed, q.limit(), edge, budgetSpent, scanned);
    }

    /**
     * The page of {@code rows}: the first {@code limit} and a cursor after the last when there are
     * more; else all of them, and the edge as the cursor when a read stopped before its end ({@code
     * budgetSpent} when one stopped for its scan budget rather than because it filled).
     */
    private static ExecutionPage finish(
            List<ExecutionSummary> rows, int limit, ExecutionCursor edge, boolean budgetSpent, long scanned) {
        if (rows.size() > limit) {
            List<ExecutionSummary> page = rows.subList(0, limit);
            return new ExecutionPage(page, page.get(limit - 1).cursor(), false, scanned);
        }
        return new ExecutionPage(rows, edge, edge != null && budgetSpent, scanned);
    }

    /**
     * The rows read from one index.
     *
     * @param last the key of the last row read (where the next read continues)
     * @param exhausted the index range ended before the page filled (else the page filled or the
     *     scan budget ran out)
     * @param residual some filter was checked row by row
     */
    private record Scan(
            List<ExecutionSummary> matches, ExecutionCursor last, boolean exhausted, boolean residual, long scanned) {}

    private static Scan scan(
            Session s, ExecutionQuery q, String op, Params lead, ExecutionCursor start, long sinceUs, int want)
            throws SQLException {
        boolean residual = q.workflowName() != null
                || q.workflowHash() != null
                || q.queue() != null
                || (op.equals(RECENT) && q.state() != null);
        List<ExecutionSummary> matches = new ArrayList<>();
        ExecutionCursor cursor = start;
        long scanned = 0;
        while (true) {
            int chunk = residual ? (int) Math.min(CHUNK, ExecutionQuery.SCAN_BUDGET - scanned) : want - matches.size();
            Params p = lead.set("before_us", cursor.epochMicros())
                    .set("before_id", cursor.id())
                    .set("since_us", sinceUs)
                    .set("limit", chunk);
            List<Row> rows = s.query(op, p);
            for (Row row : rows) {
                ExecutionSummary e = Records.summary(row);
                scanned++;
                cursor = e.cursor();
                if (q.matches(e)) {
                    matches.add(e);
                    if (matches.size() == want) {
                        return new Scan(matches, cursor, false, residual, scanned);
                    }
                }
            }
            if (rows.size() < chunk) {
                return new Scan(matches, cursor, true, residual, scanned);
            }
            if (scanned >= ExecutionQuery.SCAN_BUDGET) {
                return new Scan(matches, cursor, false, residual, scanned);
            }
        }
    }

    private static List<ExecutionSummary> running(
            Session s, ExecutionQuery q, ExecutionCursor start, long sinceUs, int want) throws SQLException {
        Params p = Params.of("workflow", q.workflowName())
                .set("hash", q.workflowHash())
                .set("queue", q.queue())
                .set("before_us", start.epochMicros())
                .set("before_id", start.id())
                .set("since_us", sinceUs)
                .set("limit", want);
        return s.query("execution_page_running", p).stream()
                .map(Records::summary)
                .toList();
    }

    /** The older of the query's cursor and its upper time bound. */
    private static ExecutionCursor start(ExecutionQuery q) {
        ExecutionCursor start =
                new ExecutionCursor(Instant.EPOCH.plus(FAR_FUTURE_US, ChronoUnit.MICROS), Long.MAX_VALUE);
        if (q.after() != null) {
            start = q.after();
        }
        if (q.createdBefore() != null) {
            ExecutionCursor bound = new ExecutionCursor(q.createdBefore(), 0);
            if (start.isBefore(bound)) {
                start = bound;
            }
        }
        return start;
    }

    private static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }
}
