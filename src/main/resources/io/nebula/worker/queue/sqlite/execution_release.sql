-- Hands executions back without spending the attempt (graceful shutdown, or a durable wait with a
-- delay), fenced by (id, lease_epoch, running). Checkpoints are kept; a pending cancel wins. A
-- release without delay keeps run_at (the execution keeps its place in the queue); a durable wait
-- is due when its delay ends.
-- First the attempt's last node results, fenced by (id, lease_epoch, running): the caller holds
-- the write lock, so the fence still holds when the second statement ends the attempts. :node_rows
-- is a JSON array of [id, epoch, node_id, status, output, error, attempt, started_ms, finished_ms].
INSERT INTO node_results (execution_id, node_id, status, output, error, attempt, lease_epoch,
                          started_at, finished_at)
SELECT r.value ->> 0, r.value ->> 2, r.value ->> 3, r.value ->> 4, r.value ->> 5, r.value ->> 6,
       r.value ->> 1, r.value ->> 7, r.value ->> 8
  FROM json_each(:node_rows) r
  JOIN executions e ON e.id = r.value ->> 0 AND e.lease_epoch = r.value ->> 1 AND e.state = 'running'
 WHERE true
ON CONFLICT (execution_id, node_id) DO UPDATE
   SET status = excluded.status, output = excluded.output, error = excluded.error,
       attempt = excluded.attempt, lease_epoch = excluded.lease_epoch,
       started_at = excluded.started_at, finished_at = excluded.finished_at,
       recorded_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
 WHERE node_results.status = 'failed';
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
