-- Executions per queue that finished in [:from_ms, :to_ms), and the failed ones among them,
-- counted up to :cap rows: one range of the partial index executions_finished.
SELECT queue, count(*) AS n, sum(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS failed
  FROM (SELECT queue, state FROM executions
         WHERE state IN ('succeeded', 'failed', 'cancelled')
           AND finished_at >= :from_ms
           AND finished_at < :to_ms
         LIMIT :cap) s
 GROUP BY queue;
