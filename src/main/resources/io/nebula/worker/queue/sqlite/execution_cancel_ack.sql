-- The holder stopped after seeing a cancel request: the execution ends cancelled. Fenced by
-- (id, lease_epoch, running).
UPDATE executions
   SET state = 'cancelled', finished_at = CAST(unixepoch('subsec') * 1000 AS INTEGER), lease_expires_at = NULL,
       last_event = 'cancelled', note = i.reason
  FROM (SELECT r.value ->> 0 AS id, r.value ->> 1 AS epoch, r.value ->> 2 AS reason
          FROM json_each(:rows) r) AS i
 WHERE executions.id = i.id AND executions.lease_epoch = i.epoch AND executions.state = 'running'
RETURNING id, state;
