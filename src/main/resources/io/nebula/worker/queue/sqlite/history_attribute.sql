-- Credits the history row an operator's action just wrote (by the history trigger, in this same
-- transaction) to that operator instead of the execution's last lease holder. The caller holds
-- the write lock, so the newest row of its history is this action's
-- (execution_transitions_execution index).
UPDATE execution_transitions SET worker_id = :by
 WHERE execution_id = :id
   AND seq = (SELECT max(seq) FROM execution_transitions WHERE execution_id = :id);
