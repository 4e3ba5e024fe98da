-- Extends the leases this worker still holds, fenced by (id, lease_epoch, running), and refreshes
-- its registry row. Rows not returned were lost. Does not touch last_event: no history row.
-- The rows are locked first, in id order, the order in which a checkpoint's fence takes them
-- (checkpoint_nodes, V014), so a heartbeat and a checkpoint of the same executions never wait for
-- each other in a cycle.
WITH held AS (
    SELECT e.id
      FROM "${schema}".executions e
      JOIN unnest(:ids::bigint[], :epochs::bigint[]) AS l(id, epoch)
        ON e.id = l.id AND e.lease_epoch = l.epoch AND e.state = 'running'
     ORDER BY e.id
       FOR NO KEY UPDATE OF e
), extended AS (
    UPDATE "${schema}".executions e
       SET lease_expires_at = now() + :visibility_ms * interval '1 millisecond'
      FROM held h
     WHERE e.id = h.id AND e.state = 'running'
    RETURNING e.id, e.cancel_requested
), seen AS (
    UPDATE "${schema}".workers SET last_seen_at = now(), active = :active WHERE worker_id = :worker_id
)
SELECT id, cancel_requested FROM extended;
