-- One execution, every column (primary key lookup).
SELECT id, queue, workflow_hash, workflow_name, input, state, priority, run_at,
       attempt, max_attempts, deaths, lease_owner, lease_epoch, lease_expires_at, created_at,
       started_at, finished_at, output, last_error, cancel_requested,
       idempotency_key, last_event, CAST(unixepoch('subsec') * 1000 AS INTEGER) AS db_now
  FROM executions WHERE id = :id;
