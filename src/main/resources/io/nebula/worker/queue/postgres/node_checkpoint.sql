-- Writes node results fenced by their execution's lease. FOR SHARE locks the execution rows, so a
-- concurrent rescue either waits for this statement or makes the fence fail (READ COMMITTED
-- re-checks the condition on the newest row version). A succeeded or skipped row is final: it is
-- kept (insert-only) and still reported, so a resent checkpoint is not mistaken for a lost lease.
-- A failed row is not final (the node runs again on the next attempt), so a later result replaces
-- it; were it kept, the node's eventual success would be dropped and a later resume would run the
-- node again. DISTINCT ON keeps a batch from naming one row twice, which DO UPDATE refuses.
WITH input AS (
    SELECT * FROM unnest(:node_execution_ids::bigint[], :node_epochs::bigint[], :node_ids::text[],
                         :node_statuses::text[], :node_outputs::text[], :node_errors::text[],
                         :node_attempts::int[], :node_started_ms::bigint[], :node_finished_ms::bigint[])
           AS t(execution_id, epoch, node_id, status, output, error, attempt, started_at, finished_at)
), fenced AS (
    SELECT i.* FROM input i
      JOIN executions e ON e.id = i.execution_id AND e.lease_epoch = i.epoch AND e.state = 'running'
       FOR SHARE OF e
), inserted AS (
    INSERT INTO node_results (execution_id, node_id, status, output, error, attempt, lease_epoch,
                              started_at, finished_at)
    SELECT DISTINCT ON (execution_id, node_id)
           execution_id, node_id, status, output::json, error, attempt, epoch,
           to_timestamp(started_at / 1000.0), to_timestamp(finished_at / 1000.0)
      FROM fenced
    ON CONFLICT (execution_id, node_id) DO UPDATE
       SET status = EXCLUDED.status, output = EXCLUDED.output, error = EXCLUDED.error,
           attempt = EXCLUDED.attempt, lease_epoch = EXCLUDED.lease_epoch,
           started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, recorded_at = now()
     WHERE node_results.status = 'failed'
)
SELECT execution_id, node_id FROM fenced;
