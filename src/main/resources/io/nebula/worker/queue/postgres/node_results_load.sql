-- Checkpoints of resumed executions (primary key prefix scan).
SELECT execution_id, node_id, status, output::text AS output, error, attempt, started_at, finished_at
  FROM "${schema}".node_results
 WHERE execution_id = ANY(:ids::bigint[]);
