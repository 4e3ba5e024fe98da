-- The holder stopped after seeing a cancel request: the execution ends cancelled. Fenced by
-- (id, lease_epoch, running).
-- First the attempt's last node results, fenced by (id, lease_epoch, running): the caller holds
-- the write lock, so the fence still holds when the second statement ends the attempts. :batch
-- is a JSON array of {id, epoch, ..., nodes} (see BatchJson).
INSERT INTO node_results (execution_id, node_id, status, output, error, attempt, lease_epoch,
                          started_at, finished_at)
SELECT e.id, n.value ->> 'node_id', n.value ->> 'status',
       CASE WHEN json_type(n.value, '$.output') IS NULL OR json_type(n.value, '$.output') = 'null'
            THEN NULL ELSE n.value -> 'output' END,
       n.value ->> 'error', n.value ->> 'attempt', e.lease_epoch, n.value ->> 'started_ms',
       n.value ->> 'finished_ms'
  FROM json_each(:batch) r
  JOIN executions e ON e.id = r.value ->> 'id' AND e.lease_epoch = r.value ->> 'epoch'
                   AND e.state = 'running'
  JOIN json_each(r.value -> 'nodes') n
 WHERE true
ON CONFLICT (execution_id, node_id) DO UPDATE
   SET status = excluded.status, output = excluded.output, error = excluded.error,
       attempt = excluded.attempt, lease_epoch = excluded.lease_epoch,
       started_at = excluded.started_at, finished_at = excluded.finished_at,
       recorded_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
 WHERE node_results.status = 'failed';
UPDATE executions
   SET state = 'cancelled', finished_at = CAST(unixepoch('subsec') * 1000 AS INTEGER), lease_expires_at = NULL,
       last_event = 'cancelled', note = i.reason
  FROM (SELECT r.value ->> 'id' AS id, r.value ->> 'epoch' AS epoch, r.value ->> 'reason' AS reason
          FROM json_each(:batch) r) AS i
 WHERE executions.id = i.id AND executions.lease_epoch = i.epoch AND executions.state = 'running'
RETURNING id, state;
