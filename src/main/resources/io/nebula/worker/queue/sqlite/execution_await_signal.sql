-- Parks executions whose workflow waits for signals, fenced by (id, lease_epoch, running): back to
-- available without spending the attempt, checkpoints kept, a pending cancel wins. :batch is a
-- JSON array of {id, epoch, reason, waits: [{name, node_id, timeout_ms}], nodes} (see BatchJson).
-- The caller holds the write lock for all four statements, so a delivery comes before or after
-- them all. First the attempt's last node results, fenced like the update that follows.
INSERT INTO node_results_input (execution_id, lease_epoch, nodes)
SELECT e.id, e.lease_epoch, r.value -> 'nodes'
  FROM json_each(:batch) r
  JOIN executions e ON e.id = r.value ->> 'id' AND e.lease_epoch = r.value ->> 'epoch'
                   AND e.state = 'running';
UPDATE executions
   SET state = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'available' END,
       attempt = CASE WHEN cancel_requested THEN attempt ELSE attempt - 1 END,
       run_at = CASE WHEN cancel_requested THEN executions.run_at ELSE 253402214400000 END,
       finished_at = CASE WHEN cancel_requested THEN CAST(unixepoch('subsec') * 1000 AS INTEGER) END,
       lease_expires_at = NULL,
       resumable = 1,
       last_event = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'awaiting_signal' END,
       note = i.reason
  FROM (SELECT r.value ->> 'id' AS id, r.value ->> 'epoch' AS epoch, r.value ->> 'reason' AS reason
          FROM json_each(:batch) r) AS i
 WHERE executions.id = i.id AND executions.lease_epoch = i.epoch AND executions.state = 'running'
RETURNING id, state, CASE WHEN state = 'cancelled' AND idempotency_key GLOB 'child:[0-9]*:*' THEN '*' END AS due_queue;
-- The waits of the executions just parked. A wait registered before keeps its start and timeout;
-- a delivery that came first keeps its data.
INSERT INTO signals (execution_id, name, node_id, waiting_since, timeout_at)
SELECT e.id, w.value ->> 'name', w.value ->> 'node_id', CAST(unixepoch('subsec') * 1000 AS INTEGER),
       CAST(unixepoch('subsec') * 1000 AS INTEGER) + (w.value ->> 'timeout_ms')
  FROM json_each(:batch) r
  JOIN executions e ON e.id = r.value ->> 'id' AND e.lease_epoch = r.value ->> 'epoch'
                   AND e.state = 'available' AND e.last_event = 'awaiting_signal'
  JOIN json_each(r.value -> 'waits') w
 WHERE true
ON CONFLICT (execution_id, name) DO UPDATE
   SET node_id = coalesce(signals.node_id, excluded.node_id),
       waiting_since = coalesce(signals.waiting_since, excluded.waiting_since),
       timeout_at = CASE WHEN signals.waiting_since IS NULL THEN excluded.timeout_at
                         ELSE signals.timeout_at END;
-- Due now when an awaited signal is already there, else at the earliest timeout (else never).
UPDATE executions
   SET run_at = d.due
  FROM (SELECT r.value ->> 'id' AS id, r.value ->> 'epoch' AS epoch,
               CASE WHEN max(s.received_at IS NOT NULL) THEN CAST(unixepoch('subsec') * 1000 AS INTEGER)
                    ELSE coalesce(min(s.timeout_at), 253402214400000) END AS due
          FROM json_each(:batch) r
          JOIN json_each(r.value -> 'waits') w
          JOIN signals s ON s.execution_id = r.value ->> 'id' AND s.name = w.value ->> 'name'
         GROUP BY r.value ->> 'id', r.value ->> 'epoch') AS d
 WHERE executions.id = d.id AND executions.lease_epoch = d.epoch AND executions.state = 'available'
   AND executions.last_event = 'awaiting_signal';
