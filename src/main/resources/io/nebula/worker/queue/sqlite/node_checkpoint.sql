-- Writes node results fenced by their execution's lease, then reports which (execution, node)
-- pairs hold a valid lease (written now or already present). :node_rows is a JSON array of
-- [id, epoch, node_id, status, output, error, attempt, started_ms, finished_ms]. A succeeded or
-- skipped row is final and kept; a failed row is replaced by a later result of the same node (it
-- runs again on the next attempt, and its success must be recorded, or a later resume would run
-- it once more). The caller holds the write lock (BEGIN IMMEDIATE), so no rescue can interleave
-- between the two statements.
INSERT INTO node_results (execution_id, node_id, status, output, error, attempt, lease_epoch,
                          started_at, finished_at)
SELECT r.value ->> 0, r.value ->> 2, r.value ->> 3, r.value ->> 4, r.value ->> 5, r.value ->> 6,
       r.value ->> 1, r.value ->> 7, r.value ->> 8
  FROM json_each(:node_rows) r
  JOIN executions e ON e.id = r.value ->> 0 AND e.lease_epoch = r.value ->> 1 AND e.state = 'running'
 WHERE true
ON CONFLICT (execution_id, node_id) DO UPDATE
   SET status = excluded.status, output = excluded.output, error = excluded.error,
       attempt = excluded.attempt, lease_epoch = excluded.lease_epoch,
       started_at = excluded.started_at, finished_at = excluded.finished_at,
       recorded_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
 WHERE node_results.status = 'failed';
SELECT r.value ->> 0 AS execution_id, r.value ->> 2 AS node_id
  FROM json_each(:node_rows) r
  JOIN executions e ON e.id = r.value ->> 0 AND e.lease_epoch = r.value ->> 1 AND e.state = 'running';
