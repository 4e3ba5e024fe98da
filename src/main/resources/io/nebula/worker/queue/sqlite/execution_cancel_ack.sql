-- The holder stopped after seeing a cancel request: the execution ends cancelled. Fenced by
-- (id, lease_epoch, running).
-- First the attempt's last node results, fenced by (id, lease_epoch, running): the caller holds
-- the write lock, so the fence still holds when the second statement ends the attempts. :batch
-- is a JSON array of {id, epoch, ..., nodes} (see BatchJson). due_queue is '*' for a child, whose
-- end may have made its parent due (V011's trigger), so the store wakes its in-process claimers.
INSERT INTO node_results_input (execution_id, lease_epoch, nodes)
SELECT e.id, e.lease_epoch, r.value -> 'nodes'
  FROM json_each(:batch) r
  JOIN executions e ON e.id = r.value ->> 'id' AND e.lease_epoch = r.value ->> 'epoch'
                   AND e.state = 'running';
UPDATE executions
   SET state = 'cancelled', finished_at = CAST(unixepoch('subsec') * 1000 AS INTEGER), lease_expires_at = NULL,
       last_event = 'cancelled', note = i.reason
  FROM (SELECT r.value ->> 'id' AS id, r.value ->> 'epoch' AS epoch, r.value ->> 'reason' AS reason
          FROM json_each(:batch) r) AS i
 WHERE executions.id = i.id AND executions.lease_epoch = i.epoch AND executions.state = 'running'
RETURNING id, state, CASE WHEN idempotency_key GLOB 'child:[0-9]*:*' THEN '*' END AS due_queue;
