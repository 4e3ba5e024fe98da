-- The executions of several idempotency keys, every column (a lookup per key in the unique partial
-- index executions_idempotency); keys without an execution are absent. :keys is a JSON array.
SELECT id, queue, workflow_hash, workflow_name, input, state, priority, run_at,
       attempt, max_attempts, deaths, lease_owner, lease_epoch, lease_expires_at, created_at,
       started_at, finished_at, output, last_error, cancel_requested,
       idempotency_key, last_event, CAST(unixepoch('subsec') * 1000 AS INTEGER) AS db_now
  FROM executions WHERE idempotency_key IN (SELECT value FROM json_each(:keys));
