-- One execution's history, oldest first (execution_history_execution index).
SELECT execution_id, at, event, from_state, to_state, attempt, lease_epoch, worker_id, detail
  FROM execution_history WHERE execution_id = :id ORDER BY seq;
