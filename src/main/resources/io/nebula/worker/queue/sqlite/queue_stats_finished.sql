-- Counts of finished executions per queue and state, and how many finished in the last minute.
-- With :totals false only the last minute is read (a range of executions_finished); with :totals
-- true every finished row counts, up to :cap rows.
SELECT queue, state, count(*) AS n,
       sum(CASE WHEN finished_at > CAST(unixepoch('subsec') * 1000 AS INTEGER) - 60000 THEN 1 ELSE 0 END) AS last_minute
  FROM (SELECT queue, state, finished_at FROM executions
         WHERE state IN ('succeeded', 'failed', 'cancelled')
           AND (:totals OR finished_at > CAST(unixepoch('subsec') * 1000 AS INTEGER) - 60000)
         LIMIT :cap) s
 GROUP BY queue, state;
