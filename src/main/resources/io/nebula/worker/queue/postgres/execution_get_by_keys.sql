-- The executions of several idempotency keys, every column (a lookup per key in the unique partial
-- index executions_idempotency); keys without an execution are absent.
SELECT id, queue, workflow_hash, workflow_name, input::text AS input, state, priority, run_at,
       attempt, max_attempts, deaths, lease_owner, lease_epoch, lease_expires_at, created_at,
       started_at, finished_at, output::text AS output, last_error, cancel_requested,
       idempotency_key, last_event, now() AS db_now
  FROM "${schema}".executions WHERE idempotency_key = ANY(:keys::text[]);
