-- Adds failed node tries to the node results this batch just wrote, in the same transaction and
-- only when a node of the batch has some (a node that succeeds at once sends none, so the hot path
-- never runs this). :batch is the checkpoint or completion batch (see BatchJson); a node's tries
-- are appended to those its row kept from earlier attempts. Fenced by the row's lease_epoch: only
-- a row written under the batch's lease is touched, and a resent batch adds nothing twice (the
-- text is already there). Primary-key lookups on node_results.
UPDATE node_results
   SET tries = CASE WHEN node_results.tries IS NULL THEN t.more
                    ELSE substr(node_results.tries, 1, length(node_results.tries) - 1) || ','
                         || substr(t.more, 2) END
  FROM (SELECT b.value ->> 'id' AS id, b.value ->> 'epoch' AS epoch, n.value ->> 'node_id' AS node_id,
               n.value ->> 'attempt' AS attempt, n.value -> 'tries' AS more
          FROM json_each(:batch) b, json_each(b.value -> 'nodes') n
         WHERE json_type(n.value, '$.tries') = 'array') AS t
 WHERE node_results.execution_id = t.id AND node_results.node_id = t.node_id
   AND node_results.lease_epoch = t.epoch AND node_results.attempt = t.attempt
   AND (node_results.tries IS NULL OR instr(node_results.tries, substr(t.more, 2, length(t.more) - 2)) = 0);
