-- Ends attempts that succeeded, fenced by (id, lease_epoch, running). A cancel requested meanwhile
-- wins: the execution ends cancelled and the late output is not stored.
-- One statement, one round trip: the attempt's last node results (:nodes, one JSON array per
-- execution) go into executions.nodes with the success; only when a cancel won are they written
-- as node_results rows, where a retry of the cancelled execution finds them. Each row of the batch
-- is looked up through executions_pkey, so the fence touches only the batch's rows.
WITH done AS (
    UPDATE executions e
       SET state = CASE WHEN e.cancel_requested THEN 'cancelled' ELSE 'succeeded' END,
           output = CASE WHEN e.cancel_requested THEN NULL ELSE i.output::json END,
           nodes = CASE WHEN e.cancel_requested THEN NULL ELSE i.nodes::json END,
           finished_at = now(),
           lease_expires_at = NULL,
           last_event = CASE WHEN e.cancel_requested THEN 'cancelled' ELSE 'succeeded' END,
           note = CASE WHEN e.cancel_requested THEN 'cancel requested; the late result was discarded' END
      FROM unnest(:ids::bigint[], :epochs::bigint[], :outputs::text[], :nodes::text[])
           AS i(id, epoch, output, nodes)
     WHERE e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
    RETURNING e.id, e.state, e.lease_epoch, i.nodes
), cancelled_nodes AS (
    INSERT INTO node_results (execution_id, node_id, status, output, error, attempt, lease_epoch,
                              started_at, finished_at)
    SELECT DISTINCT ON (d.id, n.node_id) d.id, n.node_id, n.status, n.output, n.error, n.attempt,
           d.lease_epoch, to_timestamp(n.started_ms / 1000.0), to_timestamp(n.finished_ms / 1000.0)
      FROM done d,
           json_to_recordset(d.nodes::json) AS n(node_id text, status text, output json, error text,
                                                 attempt int, started_ms bigint, finished_ms bigint)
     WHERE d.state = 'cancelled'
    ON CONFLICT (execution_id, node_id) DO UPDATE
       SET status = EXCLUDED.status, output = EXCLUDED.output, error = EXCLUDED.error,
           attempt = EXCLUDED.attempt, lease_epoch = EXCLUDED.lease_epoch,
           started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, recorded_at = now()
     WHERE node_results.status = 'failed'
)
SELECT id, state FROM done;
