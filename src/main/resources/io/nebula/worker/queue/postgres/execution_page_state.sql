-- A slice of the console's execution list in one state (available, failed or cancelled), newest
-- first, from the partial index executions_state_recent.
-- Times are bound as microseconds since the epoch; the page walks the index backwards from the
-- cursor and stops after :limit rows, so its cost does not grow with the table.
-- Bounds and order name state first although only one value of it is asked for: then
-- only executions_state_recent delivers rows in order, so no plan (a generic one included) walks
-- executions_recent instead and reads every row of other states on the way.
SELECT id, queue, workflow_hash, workflow_name, state, priority, run_at, attempt, max_attempts,
       lease_owner, created_at, started_at, finished_at, left(last_error, 300) AS last_error,
       cancel_requested, idempotency_key, last_event
  FROM "${schema}".executions
 WHERE state IN ('available', 'failed', 'cancelled')
   AND (state, created_at, id) < (:state, timestamptz 'epoch' + :before_us::float8 * interval '1 microsecond', :before_id)
   AND (state, created_at, id) >= (:state, timestamptz 'epoch' + :since_us::float8 * interval '1 microsecond', 0)
 ORDER BY state DESC, created_at DESC, id DESC
 LIMIT :limit;
