-- Counts of finished executions per queue and state, and how many finished in the last minute.
-- With :totals false only the last minute is read (a range of executions_finished), which keeps
-- the periodic refresh behind the metrics cheap on a table of millions of finished rows; with
-- :totals true (operators asking) every finished row counts, up to :cap rows.
SELECT queue, state, count(*) AS n,
       count(*) FILTER (WHERE finished_at > now() - interval '1 minute') AS last_minute
  FROM (SELECT queue, state, finished_at FROM "${schema}".executions
         WHERE state IN ('succeeded', 'failed', 'cancelled')
           AND (:totals OR finished_at > now() - interval '1 minute')
         LIMIT :cap) s
 GROUP BY queue, state;
