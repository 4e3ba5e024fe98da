-- Parks executions whose workflow waits for signals, fenced by (id, lease_epoch, running): back to
-- available without spending the attempt, checkpoints kept, a pending cancel wins. :batch is a
-- JSON array of {id, epoch, reason, waits: [{name, node_id, timeout_ms}], nodes} (see BatchJson).
-- Three statements in one transaction. The first ends the attempts (primary-key lookups) and
-- writes their last node results; it locks the rows, and a delivery locks the row first too
-- (execution_lock), so a delivery sees either the running execution (and the second statement
-- finds its signal) or the parked one with its waits (and wakes it).
WITH i AS (
    SELECT * FROM json_to_recordset(:batch::json) AS i(id bigint, epoch bigint, reason text, nodes json)
), done AS (
    UPDATE executions e
       SET state = CASE WHEN e.cancel_requested THEN 'cancelled' ELSE 'available' END,
           attempt = CASE WHEN e.cancel_requested THEN e.attempt ELSE e.attempt - 1 END,
           run_at = CASE WHEN e.cancel_requested THEN e.run_at
                         ELSE timestamptz '9999-12-31 00:00:00+00' END,
           finished_at = CASE WHEN e.cancel_requested THEN now() END,
           lease_expires_at = NULL,
           resumable = true,
           last_event = CASE WHEN e.cancel_requested THEN 'cancelled' ELSE 'awaiting_signal' END,
           note = i.reason
      FROM i
     WHERE e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
    RETURNING e.id, e.state, e.lease_epoch, i.nodes
), nodes AS (
    -- A failed row from an earlier attempt is replaced (see node_checkpoint.sql).
    INSERT INTO node_results (execution_id, node_id, status, output, error, attempt, lease_epoch,
                              started_at, finished_at)
    SELECT DISTINCT ON (d.id, n.node_id) d.id, n.node_id, n.status, n.output, n.error, n.attempt,
           d.lease_epoch, to_timestamp(n.started_ms / 1000.0), to_timestamp(n.finished_ms / 1000.0)
      FROM done d,
           json_to_recordset(d.nodes) AS n(node_id text, status text, output json, error text,
                                           attempt int, started_ms bigint, finished_ms bigint)
    ON CONFLICT (execution_id, node_id) DO UPDATE
       SET status = EXCLUDED.status, output = EXCLUDED.output, error = EXCLUDED.error,
           attempt = EXCLUDED.attempt, lease_epoch = EXCLUDED.lease_epoch,
           started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, recorded_at = now()
     WHERE node_results.status = 'failed'
)
SELECT id, state FROM done;
-- The waits of the executions just parked. A wait registered before (the execution was woken and
-- parked again) keeps its start and timeout; a delivery that came first keeps its data.
INSERT INTO signals (execution_id, name, node_id, waiting_since, timeout_at)
SELECT i.id, w.name, w.node_id, now(), now() + w.timeout_ms * interval '1 millisecond'
  FROM json_to_recordset(:batch::json) AS i(id bigint, epoch bigint, waits json)
 CROSS JOIN LATERAL json_to_recordset(i.waits) AS w(name text, node_id text, timeout_ms bigint)
  JOIN executions e ON e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'available'
                   AND e.last_event = 'awaiting_signal'
ON CONFLICT (execution_id, name) DO UPDATE
   SET node_id = coalesce(signals.node_id, EXCLUDED.node_id),
       waiting_since = coalesce(signals.waiting_since, EXCLUDED.waiting_since),
       timeout_at = CASE WHEN signals.waiting_since IS NULL THEN EXCLUDED.timeout_at
                         ELSE signals.timeout_at END;
-- Due now when an awaited signal is already there, else at the earliest timeout (else never).
UPDATE executions e
   SET run_at = d.due
  FROM (SELECT i.id, i.epoch,
               CASE WHEN bool_or(s.received_at IS NOT NULL) THEN now()
                    ELSE coalesce(min(s.timeout_at), timestamptz '9999-12-31 00:00:00+00') END AS due
          FROM json_to_recordset(:batch::json) AS i(id bigint, epoch bigint, waits json)
         CROSS JOIN LATERAL json_to_recordset(i.waits) AS w(name text)
          JOIN signals s ON s.execution_id = i.id AND s.name = w.name
         GROUP BY i.id, i.epoch) d
 WHERE e.id = d.id AND e.lease_epoch = d.epoch AND e.state = 'available'
   AND e.last_event = 'awaiting_signal';
