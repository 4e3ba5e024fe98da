-- Checkpoints of resumed executions: node_results rows (primary key prefix scan) and the nodes of
-- node_levels rows (execution index). A node written twice counts once: a final result before a
-- failed one, then the earliest (record_nodes keeps the first succeeded row the same way).
SELECT DISTINCT ON (execution_id, node_id)
       execution_id, node_id, status, output, error, attempt, started_at, finished_at
  FROM (SELECT r.execution_id, r.node_id, r.status, r.output::text AS output, r.error, r.attempt,
               r.started_at, r.finished_at, r.recorded_at
          FROM "${schema}".node_results r
         WHERE r.execution_id = ANY(:ids::bigint[])
        UNION ALL
        SELECT l.execution_id, n.node_id, n.status, n.output::text, n.error, n.attempt,
               to_timestamp(n.started_ms / 1000.0), to_timestamp(n.finished_ms / 1000.0), l.recorded_at
          FROM "${schema}".node_levels l,
               json_to_recordset(l.nodes) AS n(node_id text, status text, output json, error text,
                                               attempt int, started_ms bigint, finished_ms bigint)
         WHERE l.execution_id = ANY(:ids::bigint[])) AS checkpoints
 ORDER BY execution_id, node_id, status = 'failed', recorded_at;
