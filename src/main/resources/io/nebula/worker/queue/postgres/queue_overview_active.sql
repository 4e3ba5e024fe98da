-- Unfinished executions per queue and state for the console's overview, up to :cap rows per state.
-- Each arm walks its partial index in index order (executions_claim, executions_lease), so the
-- plan stays an index walk whose cost follows the backlog, never a scan of the table (a plain
-- "state IN (...) LIMIT" lets the planner pick a sequential scan when most rows are finished).
SELECT queue, state, count(*) AS n,
       count(*) FILTER (WHERE state = 'available' AND run_at <= now()) AS due,
       min(greatest(run_at, requeued_at)) FILTER (WHERE state = 'available' AND run_at <= now()) AS oldest_due,
       now() AS computed_at
  FROM (SELECT * FROM (SELECT queue, state, run_at, requeued_at FROM "${schema}".executions
                        WHERE state = 'available'
                        ORDER BY priority, run_at, id
                        LIMIT :cap) a
        UNION ALL
        SELECT * FROM (SELECT queue, state, run_at, requeued_at FROM "${schema}".executions
                        WHERE state = 'running' AND lease_expires_at IS NOT NULL
                        ORDER BY lease_expires_at
                        LIMIT :cap) r) s
 GROUP BY queue, state;
