-- The running executions of the console's execution list, newest first, with every filter (NULL
-- filters match everything). Running rows are few (at most the workers' total concurrency) and
-- live in the partial index executions_lease, which covers the rows holding a lease (every running
-- row) and which "lease_expires_at IS NOT NULL" lets the planner use; they are kept out of the
-- list's own indexes so that claims do not write those.
SELECT id, queue, workflow_hash, workflow_name, state, priority, run_at, attempt, max_attempts,
       lease_owner, created_at, started_at, finished_at, substr(last_error, 1, 300) AS last_error,
       cancel_requested, idempotency_key, last_event
  FROM executions
 WHERE state = 'running'
   AND lease_expires_at IS NOT NULL
   AND (:workflow IS NULL OR workflow_name = :workflow)
   AND (:hash IS NULL OR workflow_hash = :hash)
   AND (:queue IS NULL OR queue = :queue)
   AND (created_at, id) < (:before_us / 1000, :before_id)
   AND created_at >= :since_us / 1000
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;
