-- One execution's history, oldest first: stored transitions by seq (execution_transitions_execution
-- index), then the derived claim and success (see the execution_history view).
SELECT execution_id, at, event, from_state, to_state, attempt, lease_epoch, worker_id, detail
  FROM "${schema}".execution_history WHERE execution_id = :id ORDER BY position, seq;
