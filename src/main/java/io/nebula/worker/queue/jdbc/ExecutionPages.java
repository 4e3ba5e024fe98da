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
 * <p>A page is read from one of two indexes, chosen by the filters: {@code executions_state_recent}
 * for the states it covers (available, failed, cancelled), else {@code executions_recent}. Filters
 * the chosen index does not serve (a workflow, a queue, a definition hash, the succeeded state) are
 * checked here, row by row, over at most {@link ExecutionQuery#SCAN_BUDGET} rows
 * per page; a page cut short by that budget says so and continues where it stopped. Running rows
 * are in none of those indexes (claims would otherwise write them all); they are read from the
 * small running set with every filter in SQL and merged in.
 */
final class ExecutionPages {
    private static final int CHUNK = 1_000;
    /** 9999-12-31T23:59:59Z, the cursor of a first page without an upper time bound. */
    private static final long FAR_FUTURE_US = 253_402_300_799_000_000L;

    private final Database db;

    ExecutionPages(Database db) {
        this.db = db;
    }

    ExecutionPage page(ExecutionQuery q) {
        return db.run("execution_page", Mode.READ, true, s -> page(s, q));
    }

    private static ExecutionPage page(Session s, ExecutionQuery q) throws SQLException {
        ExecutionCursor start = start(q);
        long sinceUs = q.createdFrom() == null ? 0 : micros(q.createdFrom());
        int want = q.limit() + 1;
        if (q.state() == ExecutionState.RUNNING) {
            return finish(running(s, q, start, sinceUs, want), q.limit(), null, 0);
        }
        Scan scan = scan(s, q, start, sinceUs, want);
        List<ExecutionSummary> rows = new ArrayList<>(scan.matches());
        if (q.state() == null) {
            for (ExecutionSummary r : running(s, q, start, sinceUs, want)) {
                // A running row older than where the scan stopped belongs to a later page.
                if (scan.exhausted() || r.cursor().isBefore(scan.last())) {
                    rows.add(r);
                }
            }
            rows.sort(Comparator.comparing(ExecutionSummary::createdAt)
                    .thenComparingLong(ExecutionSummary::id)
                    .reversed());
        }
        return finish(rows, q.limit(), scan.limited() ? scan.last() : null, scan.residual() ? scan.scanned() : 0);
    }

    private static ExecutionPage finish(
            List<ExecutionSummary> rows, int limit, ExecutionCursor budgetEdge, long scanned) {
        if (rows.size() > limit) {
            List<ExecutionSummary> page = rows.subList(0, limit);
            return new ExecutionPage(page, page.get(limit - 1).cursor(), false, scanned);
        }
        return new ExecutionPage(rows, budgetEdge, budgetEdge != null, scanned);
    }

    /**
     * The rows read from one index.
     *
     * @param last the key of the last row read (where the next read continues)
     * @param exhausted the index range ended before the page filled
     * @param limited the scan budget ran out before the page filled
     * @param residual some filter was checked row by row
     */
    private record Scan(
            List<ExecutionSummary> matches,
            ExecutionCursor last,
            boolean exhausted,
            boolean limited,
            boolean residual,
            long scanned) {}

    private static Scan scan(Session s, ExecutionQuery q, ExecutionCursor start, long sinceUs, int want)
            throws SQLException {
        String op;
        Params lead = Params.of();
        boolean residual;
        if (q.state() == ExecutionState.AVAILABLE
                || q.state() == ExecutionState.FAILED
                || q.state() == ExecutionState.CANCELLED) {
            op = "execution_page_state";
            lead.set("state", q.state().dbName());
            residual = q.workflowName() != null || q.workflowHash() != null || q.queue() != null;
        } else {
            op = "execution_page_recent";
            residual = q.state() != null || q.workflowName() != null || q.workflowHash() != null || q.queue() != null;
        }
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
                        return new Scan(matches, cursor, false, false, residual, scanned);
                    }
                }
            }
            if (rows.size() < chunk) {
                return new Scan(matches, cursor, true, false, residual, scanned);
            }
            if (scanned >= ExecutionQuery.SCAN_BUDGET) {
                return new Scan(matches, cursor, false, true, residual, scanned);
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
