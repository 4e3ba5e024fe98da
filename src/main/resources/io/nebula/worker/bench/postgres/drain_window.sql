-- How long the finished executions took to drain, by the database clock: from the first claim to
-- the last completion (both are now() of their transactions), and how many finished. Only
-- executions whose id is above the parameter count (a warm-up queued before them is left out).
SELECT count(*) AS finished,
       coalesce(extract(epoch FROM max(finished_at) - min(started_at)), 0)::float8 AS seconds
  FROM executions
 WHERE state IN ('succeeded', 'failed', 'cancelled')
   AND id > ?
