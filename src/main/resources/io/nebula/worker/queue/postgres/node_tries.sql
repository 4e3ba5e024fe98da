-- Adds failed node tries to the node results this batch just wrote, in the same transaction and
-- only when a node of the batch has some (a node that succeeds at once sends none, so the hot path
-- never runs this). :batch is the checkpoint or completion batch (see BatchJson); a node's tries
-- are appended to those its row kept from earlier attempts. Fenced by the row's lease_epoch: only
-- a row written under the batch's lease is touched, and a resent batch adds nothing twice (the
-- containment test). Primary-key lookups on node_results.
UPDATE "${schema}".node_results r
   SET tries = CASE WHEN r.tries IS NULL THEN n.tries
                    ELSE (r.tries::jsonb || n.tries::jsonb)::json END
  FROM json_to_recordset(:batch::json) AS b(id bigint, epoch bigint, nodes json),
       json_to_recordset(b.nodes) AS n(node_id text, attempt int, tries json)
 WHERE n.tries IS NOT NULL
   AND r.execution_id = b.id AND r.node_id = n.node_id
   AND r.lease_epoch = b.epoch AND r.attempt = n.attempt
   AND (r.tries IS NULL OR NOT r.tries::jsonb @> n.tries::jsonb);
