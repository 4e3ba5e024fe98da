-- The running executions of the console's execution list, newest first, with every filter (NULL
-- filters match everything). Running rows are few (at most the workers' total concurrency) and
-- live in the partial index executions_lease, which covers the rows holding a lease (every running
-- row) and which "lease_expires_at IS NOT NULL" lets the planner use; they are kept out of the
-- list's own indexes so that claims do not write those.
SELECT id, queue, workflow_hash, workflow_name, state, priority, run_at, attempt, max_attempts,
       lease_owner, created_at, started_at, finished_at, left(last_error, 300) AS last_error,
       cancel_requested, idempotency_key, last_event
  FROM "${schema}".executions
 WHERE state = 'running'
   AND lease_expires_at IS NOT NULL
   AND (:workflow::text IS NULL OR workflow_name = :workflow)
   AND (:hash::text IS NULL OR workflow_hash = :hash)
   AND (:queue::text IS NULL OR queue = :queue)
   AND (created_at, id) < (timestamptz 'epoch' + :before_us::float8 * interval '1 microsecond', :before_id)
   AND created_at >= timestamptz 'epoch' + :since_us::float8 * interval '1 microsecond'
 ORDER BY created_at DESC, id DESC
 LIMIT :limit;
