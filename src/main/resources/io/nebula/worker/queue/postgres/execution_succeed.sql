-- Ends attempts that succeeded, fenced by (id, lease_epoch, running). A cancel requested meanwhile
-- wins: the execution ends cancelled and the late output is not stored.
UPDATE executions e
   SET state = CASE WHEN e.cancel_requested THEN 'cancelled' ELSE 'succeeded' END,
       output = CASE WHEN e.cancel_requested THEN NULL ELSE i.output::json END,
       finished_at = now(),
       lease_expires_at = NULL,
       last_event = CASE WHEN e.cancel_requested THEN 'cancelled' ELSE 'succeeded' END,
       note = CASE WHEN e.cancel_requested THEN 'cancel requested; the late result was discarded' END
  FROM unnest(:ids::bigint[], :epochs::bigint[], :outputs::text[]) AS i(id, epoch, output)
 WHERE e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
RETURNING e.id, e.state;
