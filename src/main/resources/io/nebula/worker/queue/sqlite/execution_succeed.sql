-- Ends attempts that succeeded, fenced by (id, lease_epoch, running). A cancel requested meanwhile
-- wins: the execution ends cancelled and the late output is not stored. :batch is a JSON array of
-- {id, epoch, output, nodes}, nodes being the attempt's last node results.
-- First, only for executions whose cancel won, those node results become node_results rows (a
-- retry of the cancelled execution resumes from them); the caller holds the write lock, so the
-- fence still holds when the second statement ends the attempts and keeps the node results of
-- successes in executions.nodes.
INSERT INTO node_results_input (execution_id, lease_epoch, nodes)
SELECT e.id, e.lease_epoch, r.value -> 'nodes'
  FROM json_each(:batch) r
  JOIN executions e ON e.id = r.value ->> 'id' AND e.lease_epoch = r.value ->> 'epoch'
                   AND e.state = 'running' AND e.cancel_requested;
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
RETURNING id, state;
