-- Counts of unfinished executions per queue and state, capped at :cap rows scanned so the cost is
-- bounded on a large backlog (the partial indexes cover exactly these rows).
SELECT queue, state, count(*) AS n,
       count(*) FILTER (WHERE state = 'available' AND run_at <= now()) AS due,
       min(run_at) FILTER (WHERE state = 'available' AND run_at <= now()) AS oldest_due,
       now() AS computed_at
  FROM (SELECT queue, state, run_at FROM "${schema}".executions
         WHERE state IN ('available', 'running') LIMIT :cap) s
 GROUP BY queue, state;
