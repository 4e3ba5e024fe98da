-- V004: cron schedules, and the signals executions wait for.
-- Applied by Migrator under pg_advisory_xact_lock, so concurrent starts serialize.

-- One row per schedule. next_fire_at is the first fire time not yet handled; every worker's
-- scheduler reads the due rows through schedules_due and fires each under its row lock. Exactly
-- one execution per fire time is enforced by executions_idempotency: a fire submits with the key
-- 'schedule:<name>:<fire time>'.
CREATE TABLE schedules (
    name               text PRIMARY KEY,
    workflow_hash      text NOT NULL REFERENCES workflows (hash),
    workflow_name      text NOT NULL,
    cron               text NOT NULL,
    timezone           text NOT NULL,
    input              json NOT NULL,
    queue              text NOT NULL,
    max_attempts       integer NOT NULL CHECK (max_attempts >= 1),
    overlap            text NOT NULL CHECK (overlap IN ('allow', 'skip')),
    catch_up           text NOT NULL,
    paused             boolean NOT NULL DEFAULT false,
    next_fire_at       timestamptz NOT NULL,
    last_fire_at       timestamptz,
    last_execution_id  bigint,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE NOT paused;

-- One row per (execution, signal name): a delivery (received_at, data), a wait registered by a
-- parked `signal` node (waiting_since, timeout_at, node_id), or both. The primary key makes a
-- second delivery of the same signal a no-op.
CREATE TABLE signals (
    execution_id   bigint NOT NULL,
    name           text NOT NULL,
    data           json,
    received_at    timestamptz,
    node_id        text,
    waiting_since  timestamptz,
    timeout_at     timestamptz,
    PRIMARY KEY (execution_id, name)
);

-- Parks executions whose workflow waits for signals (see execution_await_signal.sql, which calls
-- it), fenced by (id, lease_epoch, running): back to available without spending the attempt,
-- checkpoints kept, a pending cancel wins; then the waits are stored and the due time set.
-- Pinned to primary-key lookups like the other ends of an attempt (see V002). The statements run
-- in order, each seeing the ones before: the first locks the rows, and a delivery locks the row
-- first too (execution_lock), so it sees either the running execution (and the second statement
-- finds its signal) or the parked one with its waits (and wakes it).
CREATE FUNCTION park_for_signals(batch json)
RETURNS TABLE (id bigint, state text)
LANGUAGE plpgsql
SET search_path = "${schema}"
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off
AS $$
DECLARE
    p record;
BEGIN
    RETURN QUERY
    WITH done AS (
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
          FROM json_to_recordset(batch) AS i(id bigint, epoch bigint, reason text, nodes json)
         WHERE e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
        RETURNING e.id, e.state, e.lease_epoch, i.nodes
    ), recorded AS (
        SELECT record_nodes(array_agg(d.id), array_agg(d.lease_epoch), array_agg(d.nodes)) AS n
          FROM done d
    )
    SELECT d.id, d.state FROM done d, recorded;

    -- The waits of each execution just parked, one primary-key lookup at a time. A wait
    -- registered before (the execution was woken and parked again) keeps its start and timeout;
    -- a delivery that came first keeps its data. Then the due time: now when an awaited signal is
    -- already there, else the earliest timeout, else never.
    FOR p IN SELECT i.id AS eid, i.epoch AS eepoch, i.waits
               FROM json_to_recordset(batch) AS i(id bigint, epoch bigint, waits json) LOOP
        PERFORM 1 FROM executions e
         WHERE e.id = p.eid AND e.lease_epoch = p.eepoch AND e.state = 'available'
           AND e.last_event = 'awaiting_signal';
        CONTINUE WHEN NOT FOUND;
        INSERT INTO signals AS s (execution_id, name, node_id, waiting_since, timeout_at)
        SELECT p.eid, x.name, x.node_id, now(), now() + x.timeout_ms * interval '1 millisecond'
          FROM json_to_recordset(p.waits) AS x(name text, node_id text, timeout_ms bigint)
        ON CONFLICT (execution_id, name) DO UPDATE
           SET node_id = coalesce(s.node_id, EXCLUDED.node_id),
               waiting_since = coalesce(s.waiting_since, EXCLUDED.waiting_since),
               timeout_at = CASE WHEN s.waiting_since IS NULL THEN EXCLUDED.timeout_at ELSE s.timeout_at END;
        UPDATE executions e
           SET run_at = (SELECT CASE WHEN bool_or(s.received_at IS NOT NULL) THEN now()
                                     ELSE coalesce(min(s.timeout_at), timestamptz '9999-12-31 00:00:00+00') END
                           FROM signals s
                          WHERE s.execution_id = p.eid
                            AND s.name IN (SELECT x.name FROM json_to_recordset(p.waits) AS x(name text)))
         WHERE e.id = p.eid;
    END LOOP;
    RETURN;
END
$$;
