-- Extends the leases this worker still holds, fenced by (id, lease_epoch, running), and refreshes
-- its registry row. :rows is a JSON array of [id, epoch]. Rows not returned were lost. Does not
-- touch last_event: no history row.
UPDATE executions
   SET lease_expires_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) + :visibility_ms
 WHERE state = 'running'
   AND (id, lease_epoch) IN (SELECT r.value ->> 0, r.value ->> 1 FROM json_each(:rows) r)
RETURNING id, cancel_requested;
UPDATE workers SET last_seen_at = CAST(unixepoch('subsec') * 1000 AS INTEGER), active = :active WHERE worker_id = :worker_id;
