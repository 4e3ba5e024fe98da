-- Ends attempts that succeeded, fenced by (id, lease_epoch, running). A cancel requested meanwhile
-- wins: the execution ends cancelled and the late output is not stored.
UPDATE executions
   SET state = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'succeeded' END,
       output = CASE WHEN cancel_requested THEN NULL ELSE i.output END,
       finished_at = CAST(unixepoch('subsec') * 1000 AS INTEGER),
       lease_expires_at = NULL,
       last_event = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'succeeded' END,
       note = CASE WHEN cancel_requested THEN 'cancel requested; the late result was discarded' END
  FROM (SELECT r.value ->> 0 AS id, r.value ->> 1 AS epoch, r.value ->> 2 AS output
          FROM json_each(:rows) r) AS i
 WHERE executions.id = i.id AND executions.lease_epoch = i.epoch AND executions.state = 'running'
RETURNING id, state;
