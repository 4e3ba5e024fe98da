-- Failed executions per queue that finished within :window_ms, counted up to :cap rows, from the
-- partial index executions_failed_recent (failed rows only, so succeeding work never writes it).
SELECT queue, count(*) AS n
  FROM (SELECT queue FROM "${schema}".executions
         WHERE state = 'failed'
           AND finished_at > now() - :window_ms::float8 * interval '1 millisecond'
         LIMIT :cap) s
 GROUP BY queue;
