-- The node results of attempts whose success execution_succeed turned into a cancel (a cancel
-- requested meanwhile won), as node_results rows, so a retry of the cancelled execution resumes
-- from them. :batch holds only those attempts, in execution_succeed's form; it runs in the same
-- transaction, under the write lock, right after execution_succeed ended them, so they are fenced.
INSERT INTO node_results_input (execution_id, lease_epoch, nodes)
SELECT r.value ->> 'id', r.value ->> 'epoch', r.value -> 'nodes'
  FROM json_each(:batch) r;
