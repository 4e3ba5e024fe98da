-- The holder stopped after seeing a cancel request: the execution ends cancelled. Fenced by
-- (id, lease_epoch, running).
UPDATE executions e
   SET state = 'cancelled',
       finished_at = now(),
       lease_expires_at = NULL,
       last_event = 'cancelled',
       note = i.reason
  FROM unnest(:ids::bigint[], :epochs::bigint[], :reasons::text[]) AS i(id, epoch, reason)
 WHERE e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
RETURNING e.id, e.state;
