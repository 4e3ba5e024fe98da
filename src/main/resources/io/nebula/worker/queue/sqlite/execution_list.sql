-- Newest executions first, optionally filtered (NULL filters match everything); :before pages on by
-- id, the order of the list.
SELECT id, queue, workflow_hash, workflow_name, input, state, priority, run_at,
       attempt, max_attempts, deaths, lease_owner, lease_epoch, lease_expires_at, created_at,
       started_at, finished_at, output, last_error, cancel_requested,
       idempotency_key, last_event, CAST(unixepoch('subsec') * 1000 AS INTEGER) AS db_now
  FROM executions
 WHERE (:state IS NULL OR state = :state)
   AND (:workflow IS NULL OR workflow_name = :workflow)
   AND (:queue IS NULL OR queue = :queue)
   AND (:before IS NULL OR id < :before)
 ORDER BY id DESC
 LIMIT :limit;
