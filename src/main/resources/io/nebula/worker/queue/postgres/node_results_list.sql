-- One execution's node results in the order they were recorded: its checkpoints (node_results)
-- and the last nodes of a successful attempt (executions.nodes), which supersede a failed
-- checkpoint of the same node from an earlier attempt. Failed tries accumulate: a superseded
-- checkpoint's tries come before those of the node that replaced it.
WITH last AS (
    SELECT e.id, e.finished_at, n.*
      FROM "${schema}".executions e,
           json_to_recordset(e.nodes) AS n(node_id text, status text, output json, error text,
                                           attempt int, started_ms bigint, finished_ms bigint, tries json)
     WHERE e.id = :id AND e.nodes IS NOT NULL
)
SELECT execution_id, node_id, status, output, error, attempt, started_at, finished_at, tries
  FROM (SELECT r.execution_id, r.node_id, r.status, r.output::text AS output, r.error, r.attempt,
               r.started_at, r.finished_at, r.recorded_at, r.tries::text AS tries
          FROM "${schema}".node_results r
         WHERE r.execution_id = :id
           AND NOT EXISTS (SELECT 1 FROM last WHERE last.node_id = r.node_id)
        UNION ALL
        SELECT last.id, last.node_id, last.status, last.output::text, last.error, last.attempt,
               to_timestamp(last.started_ms / 1000.0), to_timestamp(last.finished_ms / 1000.0),
               last.finished_at,
               CASE WHEN earlier.tries IS NULL THEN last.tries::text
                    WHEN last.tries IS NULL THEN earlier.tries::text
                    ELSE (earlier.tries::jsonb || last.tries::jsonb)::text END
          FROM last
          LEFT JOIN "${schema}".node_results earlier
                 ON earlier.execution_id = last.id AND earlier.node_id = last.node_id) AS all_nodes
 ORDER BY recorded_at, node_id;
