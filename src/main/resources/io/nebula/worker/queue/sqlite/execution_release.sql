-- Hands executions back without spending the attempt (graceful shutdown, or a durable wait with a
-- delay), fenced by (id, lease_epoch, running). Checkpoints are kept; a pending cancel wins. A
-- release without delay keeps run_at (the execution keeps its place in the queue) and its wait
-- counts from now (requeued_at); a durable wait is due when its delay ends, except a wait for
-- children only ("children": true; its epoch is recorded in awaiting_children_epoch) of an
-- attempt during which a child ended (child_ended_epoch, see V011): that one is due now.
-- First the attempt's last node results, fenced by (id, lease_epoch, running): the caller holds
-- the write lock, so the fence still holds when the second statement ends the attempts. :batch
-- is a JSON array of {id, epoch, ..., nodes} (see BatchJson). due_queue names the queue of a wait
-- for children that is due at once (run_at and requeued_at read the same clock within the
-- statement), so the store wakes its in-process claimers.
INSERT INTO node_results_input (execution_id, lease_epoch, nodes)
SELECT e.id, e.lease_epoch, r.value -> 'nodes'
  FROM json_each(:batch) r
  JOIN executions e ON e.id = r.value ->> 'id' AND e.lease_epoch = r.value ->> 'epoch'
                   AND e.state = 'running';
UPDATE executions
   SET state = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'available' END,
       attempt = CASE WHEN cancel_requested THEN attempt ELSE attempt - 1 END,
       run_at = CASE WHEN i.delay_ms > 0 AND i.children AND executions.child_ended_epoch = executions.lease_epoch
                          THEN CAST(unixepoch('subsec') * 1000 AS INTEGER)
                     WHEN i.delay_ms > 0 THEN CAST(unixepoch('subsec') * 1000 AS INTEGER) + i.delay_ms
                     ELSE executions.run_at END,
       finished_at = CASE WHEN cancel_requested THEN CAST(unixepoch('subsec') * 1000 AS INTEGER) END,
       requeued_at = CAST(unixepoch('subsec') * 1000 AS INTEGER),
       lease_expires_at = NULL,
       resumable = 1,
       awaiting_children_epoch = CASE WHEN i.children THEN executions.lease_epoch END,
       last_event = CASE WHEN cancel_requested THEN 'cancelled'
                         WHEN i.delay_ms > 0 THEN 'waiting' ELSE 'released' END,
       note = i.reason
  FROM (SELECT r.value ->> 'id' AS id, r.value ->> 'epoch' AS epoch, r.value ->> 'reason' AS reason, r.value ->> 'delay_ms' AS delay_ms,
               r.value ->> 'children' AS children
          FROM json_each(:batch) r) AS i
 WHERE executions.id = i.id AND executions.lease_epoch = i.epoch AND executions.state = 'running'
RETURNING id, state,
          CASE WHEN last_event = 'waiting' AND run_at <= requeued_at THEN queue
               WHEN state = 'cancelled' AND idempotency_key GLOB 'child:[0-9]*:*' THEN '*' END AS due_queue;
