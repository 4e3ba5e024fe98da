-- One execution's node results in the order they were recorded: its checkpoints (node_results)
-- and the last nodes of a successful attempt (executions.nodes), which supersede a failed
-- checkpoint of the same node from an earlier attempt.
WITH last AS (
    SELECT e.id, e.finished_at, n.value AS node
      FROM executions e, json_each(e.nodes) n
     WHERE e.id = :id AND e.nodes IS NOT NULL
)
SELECT execution_id, node_id, status, output, error, attempt, started_at, finished_at
  FROM (SELECT r.execution_id, r.node_id, r.status, r.output, r.error, r.attempt, r.started_at,
               r.finished_at, r.recorded_at
          FROM node_results r
         WHERE r.execution_id = :id
           AND NOT EXISTS (SELECT 1 FROM last WHERE last.node ->> 'node_id' = r.node_id)
        UNION ALL
        SELECT last.id, last.node ->> 'node_id', last.node ->> 'status',
               CASE WHEN json_type(last.node, '$.output') IS NULL
                      OR json_type(last.node, '$.output') = 'null'
                    THEN NULL ELSE last.node -> 'output' END,
               last.node ->> 'error', last.node ->> 'attempt', last.node ->> 'started_ms',
               last.node ->> 'finished_ms', last.finished_at
          FROM last)
 ORDER BY recorded_at, node_id;
