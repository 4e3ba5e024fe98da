-- Ends attempts that succeeded, fenced by (id, lease_epoch, running). A cancel requested meanwhile
-- wins: the execution ends cancelled and the late output is not stored. :batch is a JSON array of
-- {id, epoch, output, nodes}, nodes being the attempt's last node results, which a success keeps
-- in executions.nodes. For the attempts it returns as cancelled, the caller writes those node
-- results as node_results rows with execution_succeed_cancelled_nodes in the same transaction (a
-- retry of the cancelled execution resumes from them). due_queue is '*' for a child's end, which
-- may have made its parent due (V011's trigger), so the store wakes its in-process claimers.
UPDATE executions
   SET state = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'succeeded' END,
       output = CASE WHEN cancel_requested THEN NULL ELSE i.output END,
       nodes = CASE WHEN cancel_requested THEN NULL ELSE i.nodes END,
       finished_at = CAST(unixepoch('subsec') * 1000 AS INTEGER),
       lease_expires_at = NULL,
       last_event = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'succeeded' END,
       note = CASE WHEN cancel_requested THEN 'cancel requested; the late result was discarded' END
  FROM (SELECT r.value ->> 'id' AS id, r.value ->> 'epoch' AS epoch,
               CASE WHEN json_type(r.value, '$.output') IS NULL OR json_type(r.value, '$.output') = 'null'
                    THEN NULL ELSE r.value -> 'output' END AS output,
               r.value -> 'nodes' AS nodes
          FROM json_each(:batch) r) AS i
 WHERE executions.id = i.id AND executions.lease_epoch = i.epoch AND executions.state = 'running'
RETURNING id, state, CASE WHEN idempotency_key GLOB 'child:[0-9]*:*' THEN '*' END AS due_queue;
