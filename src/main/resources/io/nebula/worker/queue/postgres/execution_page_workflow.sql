-- A slice of the console's execution list of one workflow, newest first, from the partial index
-- executions_workflow_recent (every row but running ones; execution_page_running adds those).
-- Times are bound as microseconds since the epoch; the page walks the index backwards from the
-- cursor and stops after :limit rows, so its cost does not grow with the table.
-- Bounds and order name workflow_name first although only one value of it is asked for: then
-- only executions_workflow_recent delivers rows in order, so no plan (a generic one included) walks
-- executions_recent instead and reads every row of other workflows on the way.
SELECT id, queue, workflow_hash, workflow_name, state, priority, run_at, attempt, max_attempts,
       lease_owner, created_at, started_at, finished_at, left(last_error, 300) AS last_error,
       cancel_requested, idempotency_key
  FROM executions
 WHERE state <> 'running'
   AND (workflow_name, created_at, id) < (:workflow, timestamptz 'epoch' + :before_us::float8 * interval '1 microsecond', :before_id)
   AND (workflow_name, created_at, id) >= (:workflow, timestamptz 'epoch' + :since_us::float8 * interval '1 microsecond', 0)
 ORDER BY workflow_name DESC, created_at DESC, id DESC
 LIMIT :limit;
