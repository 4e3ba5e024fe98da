-- Ends attempts that succeeded, fenced by (id, lease_epoch, running). A cancel requested meanwhile
-- wins: the execution ends cancelled and the late output is not stored.
-- One statement: the node results ride along, so an attempt ends in a single round trip.
WITH done AS (
    UPDATE executions e
       SET state = CASE WHEN e.cancel_requested THEN 'cancelled' ELSE 'succeeded' END,
           output = CASE WHEN e.cancel_requested THEN NULL ELSE i.output::json END,
           finished_at = now(),
           lease_expires_at = NULL,
           last_event = CASE WHEN e.cancel_requested THEN 'cancelled' ELSE 'succeeded' END,
           note = CASE WHEN e.cancel_requested THEN 'cancel requested; the late result was discarded' END
      FROM unnest(:ids::bigint[], :epochs::bigint[], :outputs::text[]) AS i(id, epoch, output)
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
