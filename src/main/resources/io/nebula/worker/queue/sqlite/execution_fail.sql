-- Ends failed attempts, fenced by (id, lease_epoch, running). A retryable error with attempts left
-- goes back to available after its delay (keeping checkpoints); otherwise the execution fails,
-- and a retryable error that ran out of attempts says so. A pending cancel wins over both.
-- First the attempt's last node results, fenced by (id, lease_epoch, running): the caller holds
-- the write lock, so the fence still holds when the second statement ends the attempts. :node_rows
-- is a JSON array of [id, epoch, node_id, status, output, error, attempt, started_ms, finished_ms].
INSERT INTO node_results (execution_id, node_id, status, output, error, attempt, lease_epoch,
                          started_at, finished_at)
SELECT r.value ->> 0, r.value ->> 2, r.value ->> 3, r.value ->> 4, r.value ->> 5, r.value ->> 6,
       r.value ->> 1, r.value ->> 7, r.value ->> 8
  FROM json_each(:node_rows) r
  JOIN executions e ON e.id = r.value ->> 0 AND e.lease_epoch = r.value ->> 1 AND e.state = 'running'
 WHERE true
ON CONFLICT (execution_id, node_id) DO UPDATE
   SET status = excluded.status, output = excluded.output, error = excluded.error,
       attempt = excluded.attempt, lease_epoch = excluded.lease_epoch,
       started_at = excluded.started_at, finished_at = excluded.finished_at,
       recorded_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
 WHERE node_results.status = 'failed';
UPDATE executions
   SET state = CASE WHEN cancel_requested THEN 'cancelled'
                    WHEN i.retryable AND attempt < max_attempts THEN 'available'
                    ELSE 'failed' END,
       run_at = CASE WHEN NOT cancel_requested AND i.retryable AND attempt < max_attempts
                     THEN CAST(unixepoch('subsec') * 1000 AS INTEGER) + i.delay_ms ELSE run_at END,
       finished_at = CASE WHEN NOT cancel_requested AND i.retryable AND attempt < max_attempts
                          THEN NULL ELSE CAST(unixepoch('subsec') * 1000 AS INTEGER) END,
       last_error = CASE WHEN i.retryable AND attempt >= max_attempts
                         THEN 'max retries exceeded after ' || attempt || ' attempts: ' || i.error
                         ELSE i.error END,
       lease_expires_at = NULL,
       resumable = 1,
       last_event = CASE WHEN cancel_requested THEN 'cancelled'
                         WHEN i.retryable AND attempt < max_attempts THEN 'retry_scheduled'
                         ELSE 'failed' END,
       note = CASE WHEN i.retryable AND attempt >= max_attempts
                   THEN 'max retries exceeded after ' || attempt || ' attempts: ' || i.error
                   ELSE i.error END
  FROM (SELECT r.value ->> 0 AS id, r.value ->> 1 AS epoch, r.value ->> 2 AS error,
               r.value ->> 3 AS retryable, r.value ->> 4 AS delay_ms
          FROM json_each(:rows) r) AS i
 WHERE executions.id = i.id AND executions.lease_epoch = i.epoch AND executions.state = 'running'
RETURNING id, state;
