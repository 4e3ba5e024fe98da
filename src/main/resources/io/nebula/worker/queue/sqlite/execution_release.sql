-- Hands executions back without spending the attempt (graceful shutdown, or a durable wait with a
-- delay), fenced by (id, lease_epoch, running). Checkpoints are kept; a pending cancel wins. A
-- release without delay keeps run_at (the execution keeps its place in the queue); a durable wait
-- is due when its delay ends.
UPDATE executions
   SET state = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'available' END,
       attempt = CASE WHEN cancel_requested THEN attempt ELSE attempt - 1 END,
       run_at = CASE WHEN i.delay_ms > 0 THEN CAST(unixepoch('subsec') * 1000 AS INTEGER) + i.delay_ms
                     ELSE executions.run_at END,
       finished_at = CASE WHEN cancel_requested THEN CAST(unixepoch('subsec') * 1000 AS INTEGER) END,
       lease_expires_at = NULL,
       resumable = 1,
       last_event = CASE WHEN cancel_requested THEN 'cancelled'
                         WHEN i.delay_ms > 0 THEN 'waiting' ELSE 'released' END,
       note = i.reason
  FROM (SELECT r.value ->> 0 AS id, r.value ->> 1 AS epoch, r.value ->> 2 AS reason,
               r.value ->> 3 AS delay_ms
          FROM json_each(:rows) r) AS i
 WHERE executions.id = i.id AND executions.lease_epoch = i.epoch AND executions.state = 'running'
RETURNING id, state;
