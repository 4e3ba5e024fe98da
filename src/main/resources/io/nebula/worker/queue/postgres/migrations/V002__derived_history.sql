-- V002: the two transitions of the hot path are no longer written as rows; they are read from the
-- execution row itself. A claim and a success each used to add a history row through a
-- statement-level trigger that joined the old and new transition tables of every UPDATE (about
-- 40 % of the database's work per execution), and a success added a node_results row for the
-- attempt's last nodes.
--
-- History: execution_history becomes a view over the stored transitions (table
-- execution_transitions) and two derived ones: the claim of the current lease epoch, from
-- claimed_at, lease_owner, attempt and lease_epoch, while it is not stored; and a success, from
-- finished_at, while it is not stored. Every other transition is stored by a row-level trigger
-- whose WHEN clause skips claims and successes, so the hot path fires nothing. When a transition
-- is stored during or at the end of an attempt whose claim is still derived, the trigger stores
-- that claim first, so stored rows stay in order and a claim is never lost to the next one.
-- Rows written before this migration keep their stored claims and successes; "while it is not
-- stored" keeps them from appearing twice.
--
-- Node results: a success writes the attempt's last node results into executions.nodes (a JSON
-- array) instead of node_results rows. Only succeeded executions have it; they are never resumed,
-- so checkpoint loading never needs it; listings read both.

ALTER TABLE executions ADD COLUMN claimed_at timestamptz;
ALTER TABLE executions ADD COLUMN nodes json;

-- Rescue's index covers the rows holding a lease (every running row, and only those) without
-- naming the state: with the state in its predicate the planner would read this index to fence a
-- completion batch by state = 'running' (a bitmap AND with the primary key), which touches every
-- lease entry, including the dead ones vacuum has not removed yet, on every batch. Without it
-- the fence is a primary-key lookup per row of the batch.
DROP INDEX executions_lease;
CREATE INDEX executions_lease ON executions (lease_expires_at) WHERE lease_expires_at IS NOT NULL;

DROP TRIGGER executions_history ON executions;
DROP FUNCTION executions_record_history();

ALTER TABLE execution_history RENAME TO execution_transitions;
ALTER INDEX execution_history_execution RENAME TO execution_transitions_execution;

CREATE FUNCTION executions_record_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state = 'running' AND OLD.claimed_at IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM "${schema}".execution_transitions t
         WHERE t.execution_id = OLD.id AND t.lease_epoch = OLD.lease_epoch AND t.event = 'claimed') THEN
        INSERT INTO "${schema}".execution_transitions
            (execution_id, at, event, from_state, to_state, attempt, lease_epoch, worker_id, detail)
        VALUES (OLD.id, OLD.claimed_at, 'claimed', 'available', 'running', OLD.attempt, OLD.lease_epoch,
                OLD.lease_owner, NULL);
    END IF;
    INSERT INTO "${schema}".execution_transitions
        (execution_id, event, from_state, to_state, attempt, lease_epoch, worker_id, detail)
    VALUES (NEW.id, NEW.last_event, OLD.state, NEW.state, NEW.attempt, NEW.lease_epoch, NEW.lease_owner,
            NEW.note);
    RETURN NULL;
END
$$;

-- A row moved when its last_event or lease_epoch changed (heartbeats change neither). Claims
-- (available -> running) and successes (running -> succeeded) are derived, not stored.
CREATE TRIGGER executions_transition
    AFTER UPDATE ON executions
    FOR EACH ROW
    WHEN ((NEW.last_event IS DISTINCT FROM OLD.last_event OR NEW.lease_epoch <> OLD.lease_epoch)
          AND NOT (OLD.state = 'available' AND NEW.state = 'running')
          AND NOT (OLD.state = 'running' AND NEW.state = 'succeeded'))
    EXECUTE FUNCTION executions_record_transition();

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
                    WHERE t.execution_id = e.id AND t.lease_epoch = e.lease_epoch AND t.to_state = 'succeeded');

-- The claim now records its own time (claimed_at) and writes no history row.
CREATE OR REPLACE FUNCTION claim_executions(worker text, queue_names text[], lim integer, visibility_ms bigint)
RETURNS TABLE (id bigint, queue text, workflow_hash text, workflow_name text, input text,
               attempt integer, max_attempts integer, lease_epoch bigint, resumable boolean,
               cancel_requested boolean, created_at timestamptz, due_at timestamptz,
               claimed_at timestamptz)
LANGUAGE sql
SET search_path = "${schema}"
SET enable_bitmapscan = off
SET enable_sort = off
SET enable_seqscan = off
SET jit = off
AS $$
    UPDATE executions e
       SET state = 'running',
           attempt = e.attempt + 1,
           lease_epoch = e.lease_epoch + 1,
           lease_owner = worker,
           lease_expires_at = now() + visibility_ms * interval '1 millisecond',
           started_at = coalesce(e.started_at, now()),
           claimed_at = now(),
           last_event = 'claimed',
           note = NULL
     WHERE e.id = ANY(ARRAY(
            SELECT c.id FROM executions c
             WHERE c.state = 'available'
               AND c.run_at <= now()
               AND c.queue = ANY(queue_names)
               AND c.queue <> ALL(ARRAY(SELECT q.name FROM queues q WHERE q.paused))
             ORDER BY c.priority, c.run_at, c.id
             LIMIT lim
             FOR UPDATE SKIP LOCKED))
    RETURNING e.id, e.queue, e.workflow_hash, e.workflow_name, e.input::text, e.attempt,
              e.max_attempts, e.lease_epoch, e.resumable, e.cancel_requested, e.created_at,
              e.run_at, now();
$$;
