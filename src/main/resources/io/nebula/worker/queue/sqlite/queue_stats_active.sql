-- Counts of unfinished executions per queue and state (the oldest due one aged from its run_at, or
-- from its return to the queue when a release or a rescue handed it back, see V010), capped at :cap rows scanned so the cost is
-- bounded on a large backlog.
SELECT queue, state, count(*) AS n,
       sum(CASE WHEN state = 'available' AND run_at <= CAST(unixepoch('subsec') * 1000 AS INTEGER) THEN 1 ELSE 0 END) AS due,
       min(CASE WHEN state = 'available' AND run_at <= CAST(unixepoch('subsec') * 1000 AS INTEGER)
                THEN max(run_at, coalesce(requeued_at, run_at)) END) AS oldest_due,
       CAST(unixepoch('subsec') * 1000 AS INTEGER) AS computed_at
  FROM (SELECT queue, state, run_at, requeued_at FROM executions
         WHERE state IN ('available', 'running') LIMIT :cap) s
 GROUP BY queue, state;
