-- How long the finished executions took to drain, by the database clock (milliseconds since the
-- epoch in this schema): from the first claim to the last completion, and how many finished. Only
-- executions whose id is above the parameter count (a warm-up queued before them is left out).
SELECT count(*) AS finished,
       coalesce(max(finished_at) - min(started_at), 0) / 1000.0 AS seconds
  FROM executions
 WHERE state IN ('succeeded', 'failed', 'cancelled')
   AND id > ?
