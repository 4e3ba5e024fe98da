-- Brings forward the due time of executions execution_await_signal has just parked, under the
-- same write lock, when their workflow's timeout ends before any of their waits would time out:
-- each is then due after due_ms at the latest. :batch is a JSON array of {id, epoch, due_ms};
-- fenced like the park (the lease epoch it parked under, still parked).
UPDATE executions
   SET run_at = min(executions.run_at, CAST(unixepoch('subsec') * 1000 AS INTEGER) + i.due_ms)
  FROM (SELECT r.value ->> 'id' AS id, r.value ->> 'epoch' AS epoch, r.value ->> 'due_ms' AS due_ms
          FROM json_each(:batch) r) AS i
 WHERE executions.id = i.id AND executions.lease_epoch = i.epoch AND executions.state = 'available'
   AND executions.last_event = 'awaiting_signal';
