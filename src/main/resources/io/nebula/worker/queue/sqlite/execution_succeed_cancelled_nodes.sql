-- The node results of attempts whose success execution_succeed turned into a cancel (a cancel
-- requested meanwhile won), as node_results rows, so a retry of the cancelled execution resumes
-- from them. :batch holds those attempts, in execution_succeed's form. It runs right after
-- execution_succeed, in its transaction (under the write lock), and before node_tries; the join
-- keeps the fence: only rows that execution_succeed left cancelled under the batch's lease epoch.
INSERT INTO node_results_input (execution_id, lease_epoch, nodes)
SELECT e.id, e.lease_epoch, r.value -> 'nodes'
  FROM json_each(:batch) r
  JOIN executions e ON e.id = r.value ->> 'id' AND e.lease_epoch = r.value ->> 'epoch' AND e.state = 'cancelled';
