-- Counts of unfinished executions per queue and state (the oldest due one aged from when it last
-- became due: its submit, its run_at or its return to the queue, see V010), capped at :cap rows scanned so the cost is
-- bounded on a large backlog (the partial indexes cover exactly these rows).
SELECT queue, state, count(*) AS n,
       count(*) FILTER (WHERE state = 'available' AND run_at <= now()) AS due,
       min(greatest(run_at, created_at, requeued_at)) FILTER (WHERE state = 'available' AND run_at <= now()) AS oldest_due,
       now() AS computed_at
  FROM (SELECT queue, state, run_at, created_at, requeued_at FROM "${schema}".executions
         WHERE state IN ('available', 'running') LIMIT :cap) s
 GROUP BY queue, state;
