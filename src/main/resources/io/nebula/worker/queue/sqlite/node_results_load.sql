-- Checkpoints of resumed executions (primary key prefix scan).
SELECT execution_id, node_id, status, output, error, attempt, started_at, finished_at
  FROM node_results
 WHERE execution_id IN (SELECT value FROM json_each(:ids));
