-- Ends failed attempts, fenced by (id, lease_epoch, running). A retryable error with attempts left
-- goes back to available after its delay (keeping checkpoints); otherwise the execution fails,
-- and a retryable error that ran out of attempts says so. A pending cancel wins over both.
-- First the attempt's last node results, fenced by (id, lease_epoch, running): the caller holds
-- the write lock, so the fence still holds when the second statement ends the attempts. :batch
-- is a JSON array of {id, epoch, ..., nodes} (see BatchJson). due_queue is '*' for a child that
-- ended (failed or cancelled), which may have made its parent due (V011's trigger), so the store
-- wakes its in-process claimers.
INSERT INTO node_results_input (execution_id, lease_epoch, nodes)
SELECT e.id, e.lease_epoch, r.value -> 'nodes'
  FROM json_each(:batch) r
  JOIN executions e ON e.id = r.value ->> 'id' AND e.lease_epoch = r.value ->> 'epoch'
                   AND e.state = 'running';
UPDATE executions
   SET state = CASE WHEN cancel_requested THEN 'cancelled'
                    WHEN i.retryable AND attempt < max_attempts THEN 'available'
                    ELSE 'failed' END,
       run_at = CASE WHEN NOT cancel_requested AND i.retryable AND attempt < max_attempts
                     THEN CAST(unixepoch('subsec') * 1000 AS INTEGER) + i.delay_ms ELSE run_at END,
       finished_at = CASE WHEN NOT cancel_requested AND i.retryable AND attempt < max_attempts
                          THEN NULL ELSE CAST(unixepoch('subsec') * 1000 AS INTEGER) END,
       last_error = CASE WHEN i.retryable AND attempt >= max_attempts
                         THEN 'max retries exceeded after ' || attempt
                              || CASE WHEN attempt = 1 THEN ' attempt: ' ELSE ' attempts: ' END || i.error
                         ELSE i.error END,
       lease_expires_at = NULL,
       resumable = 1,
       last_event = CASE WHEN cancel_requested THEN 'cancelled'
                         WHEN i.retryable AND attempt < max_attempts THEN 'retry_scheduled'
                         ELSE 'failed' END,
       note = CASE WHEN i.retryable AND attempt >= max_attempts
                   THEN 'max retries exceeded after ' || attempt
                              || CASE WHEN attempt = 1 THEN ' attempt: ' ELSE ' attempts: ' END || i.error
                   ELSE i.error END
  FROM (SELECT r.value ->> 'id' AS id, r.value ->> 'epoch' AS epoch, r.value ->> 'error' AS error, r.value ->> 'retryable' AS retryable, r.value ->> 'delay_ms' AS delay_ms
          FROM json_each(:batch) r) AS i
 WHERE executions.id = i.id AND executions.lease_epoch = i.epoch AND executions.state = 'running'
RETURNING id, state,
          CASE WHEN state IN ('failed', 'cancelled') AND idempotency_key GLOB 'child:[0-9]*:*' THEN '*' END
              AS due_queue;
