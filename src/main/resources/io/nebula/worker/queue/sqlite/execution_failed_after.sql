-- Failed executions in finish order (finished_at, id), after the position (:after_position, the
-- finish time in milliseconds, :after_id) or, without one, from :lookback_ms ago, and finished at
-- least :settle_ms ago; at most :limit. The maintenance leader walks them to cancel the children a
-- failed parent left unfinished. Reads the partial index executions_failed_recent (failed rows
-- only), so successes never enter the walk. A batch of failures shares one finish time; the id
-- orders them.
SELECT id, workflow_hash, finished_at AS position
  FROM executions
 WHERE state = 'failed'
   AND finished_at <= CAST(unixepoch('subsec') * 1000 AS INTEGER) - :settle_ms
   AND finished_at >= COALESCE(:after_position, CAST(unixepoch('subsec') * 1000 AS INTEGER) - :lookback_ms)
   AND (:after_id IS NULL OR finished_at > :after_position OR (finished_at = :after_position AND id > :after_id))
 ORDER BY finished_at, id
 LIMIT :limit;
