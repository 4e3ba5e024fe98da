-- Unfinished executions per queue and state for the console's overview, up to :cap rows per state.
-- Each arm walks its partial index in index order (executions_claim, executions_lease), so the
-- cost follows the backlog, not the table.
SELECT queue, state, count(*) AS n,
       sum(CASE WHEN state = 'available' AND run_at <= CAST(unixepoch('subsec') * 1000 AS INTEGER) THEN 1 ELSE 0 END) AS due,
       min(CASE WHEN state = 'available' AND run_at <= CAST(unixepoch('subsec') * 1000 AS INTEGER)
                THEN max(run_at, coalesce(requeued_at, run_at)) END) AS oldest_due,
       CAST(unixepoch('subsec') * 1000 AS INTEGER) AS computed_at
  FROM (SELECT * FROM (SELECT queue, state, run_at, requeued_at FROM executions
                        WHERE state = 'available'
                        ORDER BY priority, run_at, id
                        LIMIT :cap) a
        UNION ALL
        SELECT * FROM (SELECT queue, state, run_at, requeued_at FROM executions
                        WHERE state = 'running' AND lease_expires_at IS NOT NULL
                        ORDER BY lease_expires_at
                        LIMIT :cap) r) s
 GROUP BY queue, state;
