-- Newest executions first, optionally filtered (NULL filters match everything); :before pages on by
-- id, the order of the list.
SELECT id, queue, workflow_hash, workflow_name, input::text AS input, state, priority, run_at,
       attempt, max_attempts, deaths, lease_owner, lease_epoch, lease_expires_at, created_at,
       started_at, finished_at, output::text AS output, last_error, cancel_requested,
       idempotency_key, last_event, now() AS db_now
  FROM "${schema}".executions
 WHERE (:state::text IS NULL OR state = :state)
   AND (:workflow::text IS NULL OR workflow_name = :workflow)
   AND (:queue::text IS NULL OR queue = :queue)
   AND (:before::bigint IS NULL OR id < :before)
 ORDER BY id DESC
 LIMIT :limit;
