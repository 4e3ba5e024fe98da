-- Counts of unfinished executions per queue and state (the oldest due one aged from its run_at, or
-- from its return to the queue when a release or a rescue handed it back, see V010), capped at :cap rows scanned so the cost is
-- bounded on a large backlog (the partial indexes cover exactly these rows).
SELECT queue, state, count(*) AS n,
       count(*) FILTER (WHERE state = 'available' AND run_at <= now()) AS due,
       min(greatest(run_at, requeued_at)) FILTER (WHERE state = 'available' AND run_at <= now()) AS oldest_due,
       now() AS computed_at
  FROM (SELECT queue, state, run_at, requeued_at FROM "${schema}".executions
         WHERE state IN ('available', 'running') LIMIT :cap) s
 GROUP BY queue, state;
