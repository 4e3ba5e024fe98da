-- One execution's node results in the order they were recorded: its checkpoints (node_results)
-- and the last nodes of a successful attempt (executions.nodes), which supersede a failed
-- checkpoint of the same node from an earlier attempt.
WITH last AS (
    SELECT e.id, e.finished_at, n.*
      FROM executions e,
           json_to_recordset(e.nodes) AS n(node_id text, status text, output json, error text,
                                           attempt int, started_ms bigint, finished_ms bigint)
     WHERE e.id = :id AND e.nodes IS NOT NULL
)
SELECT execution_id, node_id, status, output, error, attempt, started_at, finished_at
  FROM (SELECT r.execution_id, r.node_id, r.status, r.output::text AS output, r.error, r.attempt,
               r.started_at, r.finished_at, r.recorded_at
          FROM node_results r
         WHERE r.execution_id = :id
           AND NOT EXISTS (SELECT 1 FROM last WHERE last.node_id = r.node_id)
        UNION ALL
        SELECT last.id, last.node_id, last.status, last.output::text, last.error, last.attempt,
               to_timestamp(last.started_ms / 1000.0), to_timestamp(last.finished_ms / 1000.0),
               last.finished_at
          FROM last) AS all_nodes
 ORDER BY recorded_at, node_id;
