-- Counts of finished executions per queue and state (capped), and how many finished in the last
-- minute (through executions_finished).
SELECT queue, state, count(*) AS n,
       count(*) FILTER (WHERE finished_at > now() - interval '1 minute') AS last_minute
  FROM (SELECT queue, state, finished_at FROM executions
         WHERE state IN ('succeeded', 'failed', 'cancelled') LIMIT :cap) s
 GROUP BY queue, state;
