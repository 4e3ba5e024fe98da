-- One execution's node results in the order they were recorded: its checkpoints (node_results)
-- and the last nodes of a successful attempt (executions.nodes), which supersede a failed
-- checkpoint of the same node from an earlier attempt. Failed tries accumulate: a superseded
-- checkpoint's tries come before those of the node that replaced it. The last nodes are read once
-- (MATERIALIZED), not once per checkpoint row: a map node's output among them can be large.
WITH last AS MATERIALIZED (
    SELECT e.id, e.finished_at, n.value AS node
      FROM executions e, json_each(e.nodes) n
     WHERE e.id = :id AND e.nodes IS NOT NULL
)
SELECT execution_id, node_id, status, output, error, attempt, started_at, finished_at, tries
  FROM (SELECT r.execution_id, r.node_id, r.status, r.output, r.error, r.attempt, r.started_at,
               r.finished_at, r.recorded_at, r.tries
          FROM node_results r
         WHERE r.execution_id = :id
           AND NOT EXISTS (SELECT 1 FROM last WHERE last.node ->> 'node_id' = r.node_id)
        UNION ALL
        SELECT last.id, last.node ->> 'node_id', last.node ->> 'status',
               CASE WHEN json_type(last.node, '$.output') IS NULL
                      OR json_type(last.node, '$.output') = 'null'
                    THEN NULL ELSE last.node -> 'output' END,
               last.node ->> 'error', last.node ->> 'attempt', last.node ->> 'started_ms',
               last.node ->> 'finished_ms', last.finished_at,
               CASE WHEN earlier.tries IS NULL THEN last.node -> 'tries'
                    WHEN json_type(last.node, '$.tries') IS NULL THEN earlier.tries
                    ELSE substr(earlier.tries, 1, length(earlier.tries) - 1) || ','
                         || substr(last.node -> 'tries', 2) END
          FROM last
          LEFT JOIN node_results earlier
                 ON earlier.execution_id = last.id AND earlier.node_id = last.node ->> 'node_id')
 ORDER BY recorded_at, node_id;
