package io.nebula.worker.queue;

import java.util.List;

/**
 * One page of the execution list.
 *
 * @param rows at most the query's limit, newest first
 * @param next where the next page starts, or {@code null} when there is nothing older
 * @param searchLimited {@code true} when the page is short because a filter that no index serves
 *     stopped after reading {@link #scanned} rows; {@link #next} then continues the search
 * @param scanned rows read for the filters that no index serves (0 when an index served them all)
 */
public record ExecutionPage(List<ExecutionSummary> rows, ExecutionCursor next, boolean searchLimited, long scanned) {
    public ExecutionPage {
        rows = List.copyOf(rows);
    }
}
