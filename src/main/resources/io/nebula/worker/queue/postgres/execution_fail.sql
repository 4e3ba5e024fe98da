-- Ends failed attempts, fenced by (id, lease_epoch, running). A retryable error with attempts left
-- goes back to available after its delay (keeping checkpoints); otherwise the execution fails,
-- and a retryable error that ran out of attempts says so. A pending cancel wins over both.
UPDATE executions e
   SET state = CASE WHEN e.cancel_requested THEN 'cancelled'
                    WHEN i.retryable AND e.attempt < e.max_attempts THEN 'available'
                    ELSE 'failed' END,
       run_at = CASE WHEN NOT e.cancel_requested AND i.retryable AND e.attempt < e.max_attempts
                     THEN now() + i.delay_ms * interval '1 millisecond' ELSE e.run_at END,
       finished_at = CASE WHEN NOT e.cancel_requested AND i.retryable AND e.attempt < e.max_attempts
                          THEN NULL ELSE now() END,
       last_error = CASE WHEN i.retryable AND e.attempt >= e.max_attempts
                         THEN 'max retries exceeded after ' || e.attempt || ' attempts: ' || i.error
                         ELSE i.error END,
       lease_expires_at = NULL,
       resumable = true,
       last_event = CASE WHEN e.cancel_requested THEN 'cancelled'
                         WHEN i.retryable AND e.attempt < e.max_attempts THEN 'retry_scheduled'
                         ELSE 'failed' END,
       note = CASE WHEN i.retryable AND e.attempt >= e.max_attempts
                   THEN 'max retries exceeded after ' || e.attempt || ' attempts: ' || i.error
                   ELSE i.error END
  FROM unnest(:ids::bigint[], :epochs::bigint[], :errors::text[], :retryable::boolean[],
              :delays_ms::bigint[]) AS i(id, epoch, error, retryable, delay_ms)
 WHERE e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
RETURNING e.id, e.state;
