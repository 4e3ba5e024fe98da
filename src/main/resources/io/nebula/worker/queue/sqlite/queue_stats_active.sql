-- Counts of unfinished executions per queue and state (the oldest due one aged from when it last
-- became due: its submit, its run_at or its return to the queue, see V010), capped at :cap rows scanned so the cost is
-- bounded on a large backlog.
SELECT queue, state, count(*) AS n,
       sum(CASE WHEN state = 'available' AND run_at <= CAST(unixepoch('subsec') * 1000 AS INTEGER) THEN 1 ELSE 0 END) AS due,
       min(CASE WHEN state = 'available' AND run_at <= CAST(unixepoch('subsec') * 1000 AS INTEGER)
                THEN max(run_at, created_at, coalesce(requeued_at, 0)) END) AS oldest_due,
       CAST(unixepoch('subsec') * 1000 AS INTEGER) AS computed_at
  FROM (SELECT queue, state, run_at, created_at, requeued_at FROM executions
         WHERE state IN ('available', 'running') LIMIT :cap) s
 GROUP BY queue, state;
