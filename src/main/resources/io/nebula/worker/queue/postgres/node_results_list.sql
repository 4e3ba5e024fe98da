-- One execution's checkpoints in the order they were recorded.
SELECT execution_id, node_id, status, output::text AS output, error, attempt, started_at, finished_at
  FROM node_results WHERE execution_id = :id ORDER BY recorded_at, node_id;
