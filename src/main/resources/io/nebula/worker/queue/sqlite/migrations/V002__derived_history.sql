-- V002: the two transitions of the hot path are no longer written as rows; they are read from the
-- execution row itself (see the PostgreSQL migration of the same name for the whole design).
-- History: execution_history becomes a view over the stored transitions (execution_transitions)
-- plus the derived claim of the current lease epoch (from claimed_at) and a derived success,
-- each while it is not stored. The trigger skips claims and successes; when it stores another
-- transition of an attempt whose claim is still derived, it stores that claim first.
-- Node results: a success writes the attempt's last node results into executions.nodes (a JSON
-- array) instead of node_results rows.

ALTER TABLE executions ADD COLUMN claimed_at INTEGER;
ALTER TABLE executions ADD COLUMN nodes TEXT;

-- Rescue's index covers the rows holding a lease (every running row, and only those), as on
-- PostgreSQL, where naming the state in its predicate misled the planner of completion fences.
DROP INDEX executions_lease;
CREATE INDEX executions_lease ON executions (lease_expires_at) WHERE lease_expires_at IS NOT NULL;

DROP TRIGGER executions_history;
ALTER TABLE execution_history RENAME TO execution_transitions;
DROP INDEX execution_history_execution;
CREATE INDEX execution_transitions_execution ON execution_transitions (execution_id, seq);

CREATE TRIGGER executions_transition AFTER UPDATE OF last_event ON executions
    WHEN NOT (OLD.state = 'available' AND NEW.state = 'running')
     AND NOT (OLD.state = 'running' AND NEW.state = 'succeeded')
BEGIN
    INSERT INTO execution_transitions
        (execution_id, at, event, from_state, to_state, attempt, lease_epoch, worker_id, detail)
    SELECT OLD.id, OLD.claimed_at, 'claimed', 'available', 'running', OLD.attempt, OLD.lease_epoch,
           OLD.lease_owner, NULL
     WHERE OLD.state = 'running' AND OLD.claimed_at IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM execution_transitions t
                        WHERE t.execution_id = OLD.id AND t.lease_epoch = OLD.lease_epoch
                          AND t.event = 'claimed');
    INSERT INTO execution_transitions
        (execution_id, event, from_state, to_state, attempt, lease_epoch, worker_id, detail)
    VALUES (NEW.id, NEW.last_event, OLD.state, NEW.state, NEW.attempt, NEW.lease_epoch,
            NEW.lease_owner, NEW.note);
END;

-- Every transition, oldest first by (position, seq): stored ones, then the current claim, then
-- a success. seq is null for the derived ones.
CREATE VIEW execution_history AS
SELECT t.seq, 0 AS position, t.execution_id, t.at, t.event, t.from_state, t.to_state, t.attempt,
       t.lease_epoch, t.worker_id, t.detail
  FROM execution_transitions t
UNION ALL
SELECT NULL, 1, e.id, e.claimed_at, 'claimed', 'available', 'running', e.attempt, e.lease_epoch,
       e.lease_owner, NULL
  FROM executions e
 WHERE e.state IN ('running', 'succeeded') AND e.claimed_at IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM execution_transitions t
                    WHERE t.execution_id = e.id AND t.lease_epoch = e.lease_epoch AND t.event = 'claimed')
UNION ALL
SELECT NULL, 2, e.id, e.finished_at, 'succeeded', 'running', 'succeeded', e.attempt, e.lease_epoch,
       e.lease_owner, e.note
  FROM executions e
 WHERE e.state = 'succeeded'
   AND NOT EXISTS (SELECT 1 FROM execution_transitions t
                    WHERE t.execution_id = e.id AND t.lease_epoch = e.lease_epoch
                      AND t.to_state = 'succeeded');

-- Node results are recorded in one place: inserting (execution_id, lease_epoch, nodes) into this
-- view writes the rows, nodes being a JSON array of {node_id, status, output, error, attempt,
-- started_ms, finished_ms}. Callers insert only executions they have fenced (they hold the write
-- lock). A succeeded or skipped row is final: it is kept (insert-only). A failed row is not final
-- (the node runs again on the next attempt), so a later result replaces it; were it kept, the
-- node's eventual success would be dropped and a later resume would run the node again.
CREATE VIEW node_results_input AS
SELECT execution_id, lease_epoch, NULL AS nodes FROM node_results WHERE 0;

CREATE TRIGGER node_results_input_insert INSTEAD OF INSERT ON node_results_input
BEGIN
    INSERT INTO node_results (execution_id, node_id, status, output, error, attempt, lease_epoch,
                              started_at, finished_at)
    SELECT NEW.execution_id, n.value ->> 'node_id', n.value ->> 'status',
           CASE WHEN json_type(n.value, '$.output') IS NULL OR json_type(n.value, '$.output') = 'null'
                THEN NULL ELSE n.value -> 'output' END,
           n.value ->> 'error', n.value ->> 'attempt', NEW.lease_epoch, n.value ->> 'started_ms',
           n.value ->> 'finished_ms'
      FROM json_each(NEW.nodes) n
     WHERE true
    ON CONFLICT (execution_id, node_id) DO UPDATE
       SET status = excluded.status, output = excluded.output, error = excluded.error,
           attempt = excluded.attempt, lease_epoch = excluded.lease_epoch,
           started_at = excluded.started_at, finished_at = excluded.finished_at,
           recorded_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
     WHERE node_results.status = 'failed';
END;
