-- The finished executions of the console's execution list (succeeded, failed and cancelled),
-- newest first by (created_at, id), from the partial index executions_recent. The list merges
-- them with the available ones (execution_page_state) and the running ones (execution_page_running).
-- Times are bound as microseconds since the epoch; the page walks the index backwards from the
-- cursor and stops after :limit rows, so its cost does not grow with the table.
SELECT id, queue, workflow_hash, workflow_name, state, priority, run_at, attempt, max_attempts,
       lease_owner, created_at, started_at, finished_at, substr(last_error, 1, 300) AS last_error,
       cancel_requested, idempotency_key, last_event
  FROM executions
 WHERE state IN ('succeeded', 'failed', 'cancelled')
   AND (created_at, id) < (:before_us / 1000, :before_id)
   AND created_at >= :since_us / 1000
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;
