-- Ends failed attempts, fenced by (id, lease_epoch, running). A retryable error with attempts left
-- goes back to available after its delay (keeping checkpoints); otherwise the execution fails,
-- and a retryable error that ran out of attempts says so. A pending cancel wins over both.
-- One statement: the node results ride along, so an attempt ends in a single round trip.
WITH done AS (
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
    RETURNING e.id, e.state, e.lease_epoch
), nodes AS (
    -- The attempt's last node results, written only for executions this statement ended (the
    -- join to done is the fence; done's rows are locked by the UPDATE, so no row lock is needed).
    -- A failed row from an earlier attempt is replaced (see node_checkpoint.sql).
    INSERT INTO node_results (execution_id, node_id, status, output, error, attempt, lease_epoch,
                              started_at, finished_at)
    SELECT DISTINCT ON (n.execution_id, n.node_id) n.execution_id, n.node_id, n.status, n.output::json, n.error, n.attempt, n.epoch,
           to_timestamp(n.started_ms / 1000.0), to_timestamp(n.finished_ms / 1000.0)
      FROM unnest(:node_execution_ids::bigint[], :node_epochs::bigint[], :node_ids::text[],
                  :node_statuses::text[], :node_outputs::text[], :node_errors::text[],
                  :node_attempts::int[], :node_started_ms::bigint[], :node_finished_ms::bigint[])
           AS n(execution_id, epoch, node_id, status, output, error, attempt, started_ms, finished_ms)
      JOIN done ON done.id = n.execution_id AND done.lease_epoch = n.epoch
    ON CONFLICT (execution_id, node_id) DO UPDATE
       SET status = EXCLUDED.status, output = EXCLUDED.output, error = EXCLUDED.error,
           attempt = EXCLUDED.attempt, lease_epoch = EXCLUDED.lease_epoch,
           started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, recorded_at = now()
     WHERE node_results.status = 'failed'
)
SELECT id, state FROM done;
