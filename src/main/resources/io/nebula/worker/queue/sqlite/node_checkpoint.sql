-- Writes node results fenced by their execution's lease, then reports which executions hold a
-- valid lease (their results written now or already present). :batch is a JSON array of
-- {id, epoch, nodes}. A succeeded or skipped row is final and kept; a failed row is replaced by a
-- later result of the same node (it runs again on the next attempt, and its success must be
-- recorded, or a later resume would run it once more). The caller holds the write lock
-- (BEGIN IMMEDIATE), so no rescue can interleave between the two statements.
INSERT INTO node_results (execution_id, node_id, status, output, error, attempt, lease_epoch,
                          started_at, finished_at)
SELECT e.id, n.value ->> 'node_id', n.value ->> 'status',
       CASE WHEN json_type(n.value, '$.output') IS NULL OR json_type(n.value, '$.output') = 'null'
            THEN NULL ELSE n.value -> 'output' END,
       n.value ->> 'error', n.value ->> 'attempt', e.lease_epoch, n.value ->> 'started_ms',
       n.value ->> 'finished_ms'
  FROM json_each(:batch) r
  JOIN executions e ON e.id = r.value ->> 'id' AND e.lease_epoch = r.value ->> 'epoch'
                   AND e.state = 'running'
  JOIN json_each(r.value -> 'nodes') n
 WHERE true
ON CONFLICT (execution_id, node_id) DO UPDATE
   SET status = excluded.status, output = excluded.output, error = excluded.error,
       attempt = excluded.attempt, lease_epoch = excluded.lease_epoch,
       started_at = excluded.started_at, finished_at = excluded.finished_at,
       recorded_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
 WHERE node_results.status = 'failed';
SELECT e.id
  FROM json_each(:batch) r
  JOIN executions e ON e.id = r.value ->> 'id' AND e.lease_epoch = r.value ->> 'epoch'
                   AND e.state = 'running';
