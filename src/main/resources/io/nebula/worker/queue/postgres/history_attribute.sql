-- Credits the history row an operator's action just wrote (by the transition trigger, in this
-- same transaction) to that operator instead of the execution's last lease holder. Operator actions
-- are stored transitions, never derived ones; the caller holds the execution's lock, so the newest
-- stored row of its history is this action's (execution_transitions_execution index).
UPDATE "${schema}".execution_transitions SET worker_id = :by
 WHERE execution_id = :id
   AND seq = (SELECT max(seq) FROM "${schema}".execution_transitions WHERE execution_id = :id);
