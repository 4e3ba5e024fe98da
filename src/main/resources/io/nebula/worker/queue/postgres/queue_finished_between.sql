-- Executions per queue that finished in [:from_ms, :to_ms), and the failed ones among them,
-- counted up to :cap rows: one range of the partial index executions_finished.
SELECT queue, count(*) AS n, count(*) FILTER (WHERE state = 'failed') AS failed
  FROM (SELECT queue, state FROM "${schema}".executions
         WHERE state IN ('succeeded', 'failed', 'cancelled')
           AND finished_at >= timestamptz 'epoch' + :from_ms::float8 * interval '1 millisecond'
           AND finished_at < timestamptz 'epoch' + :to_ms::float8 * interval '1 millisecond'
         LIMIT :cap) s
 GROUP BY queue;
