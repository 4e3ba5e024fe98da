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

-- The claim now records its own time (claimed_at), writes no history row, and returns how long
-- each execution waited since it became due (queued_ms, by the database clock) instead of three
-- timestamps for the worker to subtract. It becomes PL/pgSQL:
-- a LANGUAGE sql function that cannot be inlined is planned again on every call, which at small
-- claim batches cost more than the claim itself; PL/pgSQL keeps the plan for the session.
DROP FUNCTION claim_executions(text, text[], integer, bigint);
CREATE FUNCTION claim_executions(worker text, queue_names text[], lim integer, visibility_ms bigint)
RETURNS TABLE (id bigint, queue text, workflow_hash text, workflow_name text, input text,
               attempt integer, max_attempts integer, lease_epoch bigint, resumable boolean,
               cancel_requested boolean, queued_ms bigint)
LANGUAGE plpgsql
SET search_path = "${schema}"
SET enable_bitmapscan = off
SET enable_sort = off
SET enable_seqscan = off
SET jit = off
AS $$
BEGIN
    RETURN QUERY
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
              e.max_attempts, e.lease_epoch, e.resumable, e.cancel_requested,
              greatest(0, (extract(epoch FROM now() - greatest(e.run_at, e.created_at)) * 1000)::bigint);
END
$$;

-- Records node results: the one place that writes node_results rows, for checkpoints and for the
-- node results that ride with the end of an attempt. Each ids[i] is an execution the caller has
-- already fenced (locked by its UPDATE or FOR SHARE), epochs[i] its lease epoch and nodes[i] a JSON
-- array of {node_id, status, output, error, attempt, started_ms, finished_ms}. A succeeded or
-- skipped row is final: it is kept (insert-only). A failed row is not final (the node runs again on
-- the next attempt), so a later result replaces it; were it kept, the node's eventual success would
-- be dropped and a later resume would run the node again. DISTINCT ON keeps a batch from naming one
-- row twice, which DO UPDATE refuses. Called from a query (SELECT record_nodes(...)), so it runs as
-- part of the statement that fenced the rows.
CREATE FUNCTION record_nodes(ids bigint[], epochs bigint[], nodes json[])
RETURNS integer
LANGUAGE plpgsql
SET search_path = "${schema}"
AS $$
DECLARE
    written integer;
BEGIN
    IF ids IS NULL THEN
        RETURN 0;
    END IF;
    INSERT INTO node_results (execution_id, node_id, status, output, error, attempt, lease_epoch,
                              started_at, finished_at)
    SELECT DISTINCT ON (u.id, n.node_id) u.id, n.node_id, n.status, n.output, n.error, n.attempt,
           u.epoch, to_timestamp(n.started_ms / 1000.0), to_timestamp(n.finished_ms / 1000.0)
      FROM unnest(ids, epochs, nodes) AS u(id, epoch, nodes),
           json_to_recordset(u.nodes) AS n(node_id text, status text, output json, error text,
                                           attempt int, started_ms bigint, finished_ms bigint)
    ON CONFLICT (execution_id, node_id) DO UPDATE
       SET status = EXCLUDED.status, output = EXCLUDED.output, error = EXCLUDED.error,
           attempt = EXCLUDED.attempt, lease_epoch = EXCLUDED.lease_epoch,
           started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, recorded_at = now()
     WHERE node_results.status = 'failed';
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;

-- Ends successful attempts (see execution_succeed.sql, which calls it). A function for its SET
-- clauses: the fence must look each row of the batch up through executions_pkey, a nested loop
-- over the batch, whatever the statistics say. With a small or stale-statistics table the planner
-- would otherwise hash the batch and scan the whole table for running rows. PL/pgSQL, so the plan
-- is kept for the session.
CREATE FUNCTION complete_succeeded(batch json)
RETURNS TABLE (id bigint, state text)
LANGUAGE plpgsql
SET search_path = "${schema}"
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off
AS $$
BEGIN
    RETURN QUERY
    WITH done AS (
        UPDATE executions e
           SET state = CASE WHEN e.cancel_requested THEN 'cancelled' ELSE 'succeeded' END,
               output = CASE WHEN e.cancel_requested THEN NULL ELSE i.output END,
               nodes = CASE WHEN e.cancel_requested THEN NULL ELSE i.nodes END,
               finished_at = now(),
               lease_expires_at = NULL,
               last_event = CASE WHEN e.cancel_requested THEN 'cancelled' ELSE 'succeeded' END,
               note = CASE WHEN e.cancel_requested THEN 'cancel requested; the late result was discarded' END
          FROM json_to_recordset(batch) AS i(id bigint, epoch bigint, output json, nodes json)
         WHERE e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
        RETURNING e.id, e.state, e.lease_epoch, i.nodes
    ), recorded AS (
        SELECT record_nodes(array_agg(d.id), array_agg(d.lease_epoch), array_agg(d.nodes)) AS n
          FROM done d
         WHERE d.state = 'cancelled'
    )
    SELECT d.id, d.state FROM done d, recorded;
END
$$;

-- Writes checkpoints (see node_checkpoint.sql, which calls it): node results fenced by their
-- execution's lease (through record_nodes), returning the executions whose lease held. The fence
-- includes the lease's expiry by the database clock: the only statement that may change a running
-- row under a live lease holder is the rescue, and it takes only rows whose lease has expired, so
-- a checkpoint that finds the lease unexpired at its start was written while the lease was valid
-- and needs no row lock (a FOR SHARE lock here cost a WAL record per execution per checkpoint). A
-- result already final is kept and still reported, so a resent checkpoint is not mistaken for a
-- lost lease. The SET clauses pin the fence to a primary-key lookup per execution of the batch.
CREATE FUNCTION checkpoint_nodes(batch json)
RETURNS TABLE (id bigint)
LANGUAGE plpgsql
SET search_path = "${schema}"
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off
AS $$
BEGIN
    RETURN QUERY
    WITH fenced AS (
        SELECT i.id, i.epoch, i.nodes
          FROM json_to_recordset(batch) AS i(id bigint, epoch bigint, nodes json)
          JOIN executions e ON e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
                           AND e.lease_expires_at > now()
    ), recorded AS (
        SELECT record_nodes(array_agg(f.id), array_agg(f.epoch), array_agg(f.nodes)) AS n
          FROM fenced f
    )
    SELECT f.id FROM fenced f, recorded;
END
$$;

-- The other three ends of an attempt (see execution_fail.sql, execution_release.sql and
-- execution_cancel_ack.sql, which call them), pinned to primary-key lookups like
-- complete_succeeded. Each writes the attempt's last node results with it; a failed row from an
-- earlier attempt is replaced (see checkpoint_nodes).

CREATE FUNCTION fail_attempts(batch json)
RETURNS TABLE (id bigint, state text)
LANGUAGE plpgsql
SET search_path = "${schema}"
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off
AS $$
BEGIN
    RETURN QUERY
    WITH done AS (
        UPDATE executions e
           SET state = CASE WHEN e.cancel_requested THEN 'cancelled'
                            WHEN i.retryable AND e.attempt < e.max_attempts THEN 'available'
                            ELSE 'failed' END,
               run_at = CASE WHEN NOT e.cancel_requested AND i.retryable AND e.attempt < e.max_attempts
                             THEN now() + i.delay_ms * interval '1 millisecond' ELSE e.run_at END,
               finished_at = CASE WHEN NOT e.cancel_requested AND i.retryable AND e.attempt < e.max_attempts
                                  THEN NULL ELSE now() END,
               last_error = CASE WHEN i.retryable AND e.attempt >= e.max_attempts
                                 THEN 'max retries exceeded after ' || e.attempt || ' attempts: ' || i.error
                                 ELSE i.error END,
               lease_expires_at = NULL,
               resumable = true,
               last_event = CASE WHEN e.cancel_requested THEN 'cancelled'
                                 WHEN i.retryable AND e.attempt < e.max_attempts THEN 'retry_scheduled'
                                 ELSE 'failed' END,
               note = CASE WHEN i.retryable AND e.attempt >= e.max_attempts
                           THEN 'max retries exceeded after ' || e.attempt || ' attempts: ' || i.error
                           ELSE i.error END
          FROM json_to_recordset(batch) AS i(id bigint, epoch bigint, error text, retryable boolean, delay_ms bigint, nodes json)
         WHERE e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
        RETURNING e.id, e.state, e.lease_epoch, i.nodes
    ), recorded AS (
        SELECT record_nodes(array_agg(d.id), array_agg(d.lease_epoch), array_agg(d.nodes)) AS n
          FROM done d
    )
    SELECT d.id, d.state FROM done d, recorded;
END
$$;

CREATE FUNCTION release_attempts(batch json)
RETURNS TABLE (id bigint, state text)
LANGUAGE plpgsql
SET search_path = "${schema}"
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off
AS $$
BEGIN
    RETURN QUERY
    WITH done AS (
        UPDATE executions e
           SET state = CASE WHEN e.cancel_requested THEN 'cancelled' ELSE 'available' END,
               attempt = CASE WHEN e.cancel_requested THEN e.attempt ELSE e.attempt - 1 END,
               run_at = CASE WHEN i.delay_ms > 0 THEN now() + i.delay_ms * interval '1 millisecond'
                             ELSE e.run_at END,
               finished_at = CASE WHEN e.cancel_requested THEN now() END,
               lease_expires_at = NULL,
               resumable = true,
               last_event = CASE WHEN e.cancel_requested THEN 'cancelled'
                                 WHEN i.delay_ms > 0 THEN 'waiting' ELSE 'released' END,
               note = i.reason
          FROM json_to_recordset(batch) AS i(id bigint, epoch bigint, reason text, delay_ms bigint, nodes json)
         WHERE e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
        RETURNING e.id, e.state, e.lease_epoch, i.nodes
    ), recorded AS (
        SELECT record_nodes(array_agg(d.id), array_agg(d.lease_epoch), array_agg(d.nodes)) AS n
          FROM done d
    )
    SELECT d.id, d.state FROM done d, recorded;
END
$$;

CREATE FUNCTION cancel_attempts(batch json)
RETURNS TABLE (id bigint, state text)
LANGUAGE plpgsql
SET search_path = "${schema}"
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off
AS $$
BEGIN
    RETURN QUERY
    WITH done AS (
        UPDATE executions e
           SET state = 'cancelled',
               finished_at = now(),
               lease_expires_at = NULL,
               last_event = 'cancelled',
               note = i.reason
          FROM json_to_recordset(batch) AS i(id bigint, epoch bigint, reason text, nodes json)
         WHERE e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
        RETURNING e.id, e.state, e.lease_epoch, i.nodes
    ), recorded AS (
        SELECT record_nodes(array_agg(d.id), array_agg(d.lease_epoch), array_agg(d.nodes)) AS n
          FROM done d
    )
    SELECT d.id, d.state FROM done d, recorded;
END
$$;
