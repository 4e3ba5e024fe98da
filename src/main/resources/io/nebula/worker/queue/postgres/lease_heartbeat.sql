-- Extends the leases this worker still holds, fenced by (id, lease_epoch, running), and refreshes
-- its registry row. Rows not returned were lost. Does not touch last_event: no history row.
WITH extended AS (
    UPDATE "${schema}".executions e
       SET lease_expires_at = now() + :visibility_ms * interval '1 millisecond'
      FROM unnest(:ids::bigint[], :epochs::bigint[]) AS l(id, epoch)
     WHERE e.id = l.id AND e.lease_epoch = l.epoch AND e.state = 'running'
    RETURNING e.id, e.cancel_requested
), seen AS (
    UPDATE "${schema}".workers SET last_seen_at = now(), active = :active WHERE worker_id = :worker_id
)
SELECT id, cancel_requested FROM extended;
