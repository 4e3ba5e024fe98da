-- One execution's node results in the order they were recorded: its checkpoints (node_results and
-- the nodes of node_levels) and the last nodes of a successful attempt (executions.nodes), which
-- supersede a failed checkpoint of the same node from an earlier attempt. A node checkpointed more
-- than once is listed once, as node_results_load reads it: a final result before a failed one,
-- then the earliest. Failed tries accumulate: a superseded checkpoint's tries come before those of
-- the node that replaced it.
WITH last AS (
    SELECT e.id, e.finished_at, n.*
      FROM "${schema}".executions e,
           json_to_recordset(e.nodes) AS n(node_id text, status text, output json, error text,
                                           attempt int, started_ms bigint, finished_ms bigint, tries json)
     WHERE e.id = :id AND e.nodes IS NOT NULL
), checkpoints AS (
    SELECT DISTINCT ON (c.node_id) c.*
      FROM (SELECT r.execution_id, r.node_id, r.status, r.output, r.error, r.attempt, r.started_at,
                   r.finished_at, r.recorded_at
              FROM "${schema}".node_results r
             WHERE r.execution_id = :id
            UNION ALL
            SELECT l.execution_id, n.node_id, n.status, n.output, n.error, n.attempt,
                   to_timestamp(n.started_ms / 1000.0), to_timestamp(n.finished_ms / 1000.0), l.recorded_at
              FROM "${schema}".node_levels l,
                   json_to_recordset(l.nodes) AS n(node_id text, status text, output json, error text,
                                                   attempt int, started_ms bigint, finished_ms bigint)
             WHERE l.execution_id = :id) AS c
     ORDER BY c.node_id, c.status = 'failed', c.recorded_at
)
SELECT execution_id, node_id, status, output, error, attempt, started_at, finished_at, tries
  FROM (SELECT c.execution_id, c.node_id, c.status, c.output::text AS output, c.error, c.attempt,
               c.started_at, c.finished_at, c.recorded_at, tried.tries::text AS tries
          FROM checkpoints c
          LEFT JOIN "${schema}".node_results tried
                 ON tried.execution_id = c.execution_id AND tried.node_id = c.node_id
         WHERE NOT EXISTS (SELECT 1 FROM last WHERE last.node_id = c.node_id)
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
