-- V011: a parent waiting for its children is made due when one of them ends.
-- Applied by Migrator under pg_advisory_xact_lock, so concurrent starts serialize.
--
-- A parent whose attempt ends waiting for child executions only (no delay node pending) is
-- released with a delay after which it looks at its children again. The release records the lease
-- epoch of that attempt in awaiting_children_epoch, and the trigger below makes a parent due at
-- once (with a NOTIFY for its queue) when a child of it reaches succeeded, failed or cancelled
-- while the parent is still parked by that release: available, last_event 'waiting', the same
-- lease epoch. Anything else that happened to the parent since (a claim, whose epoch is new, a
-- retry's backoff, a park for signals, a rescue, a release by a build without this migration) is
-- left alone, so a delay node's wait is never cut short (its node counts as done when the
-- execution resumes).
-- A parent still running when a child ends (its look may already have read the child as running)
-- gets child_ended_epoch set to its lease epoch instead, once per attempt; a release for children
-- of that attempt is then due at once. A parent available but not parked that way (due already and
-- perhaps being claimed by a transaction whose look reads the child as running, or in a backoff)
-- gets the epoch its next claim will have. Its run_at is not touched, so a release without delay
-- and a rescue keep its place in the claim order.
-- The trigger takes the parent's row with SKIP LOCKED, so a child's end never waits for, nor
-- deadlocks with, whoever holds it; a wake-up skipped that way is left to the parent's own
-- look-again delay. The parent's id is read from the child's idempotency key
-- (child:<parent id>:<node>, see ChildKeys).
-- Adding nullable columns without a default rewrites nothing.
ALTER TABLE executions ADD COLUMN awaiting_children_epoch bigint;
ALTER TABLE executions ADD COLUMN child_ended_epoch bigint;

CREATE FUNCTION executions_wake_parent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent bigint;
    p_state text;
    p_epoch bigint;
    p_ended bigint;
    p_queue text;
    parked boolean;
    mark bigint;
BEGIN
    parent := substring(NEW.idempotency_key FROM '^child:([0-9]{1,18}):')::bigint;
    IF parent IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT s.state, s.lease_epoch, s.child_ended_epoch, s.queue,
           coalesce(s.state = 'available' AND s.last_event = 'waiting'
                    AND s.awaiting_children_epoch = s.lease_epoch AND s.run_at > now(), false)
      INTO p_state, p_epoch, p_ended, p_queue, parked
      FROM "${schema}".executions s
     WHERE s.id = parent AND s.state IN ('running', 'available')
       AND NOT (s.state = 'running' AND s.child_ended_epoch IS NOT DISTINCT FROM s.lease_epoch)
       FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF parked THEN
        UPDATE "${schema}".executions SET run_at = clock_timestamp() WHERE id = parent;
        PERFORM pg_notify('nebula_wakeup_${schema}', p_queue);
        RETURN NULL;
    END IF;
    -- Running: this attempt's look may have read the child as running. Available but not parked
    -- for children (due already, or in a backoff, a park for signals...): a claim may be reading the
    -- child as running right now, so the next attempt's (its epoch is one more) wait ends at once too.
    mark := CASE WHEN p_state = 'running' THEN p_epoch ELSE p_epoch + 1 END;
    IF p_ended IS DISTINCT FROM mark THEN
        UPDATE "${schema}".executions SET child_ended_epoch = mark WHERE id = parent;
    END IF;
    RETURN NULL;
END
$$;

-- Only an UPDATE that sets state is looked at, and only a child's end goes further.
CREATE TRIGGER executions_wake_parent
    AFTER UPDATE OF state ON executions
    FOR EACH ROW
    WHEN (NEW.idempotency_key LIKE 'child:%'
          AND NEW.state IN ('succeeded', 'failed', 'cancelled')
          AND OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION executions_wake_parent();

-- Otherwise as in V010 (same plan settings). A release for children only ({"children": true})
-- records its epoch in awaiting_children_epoch, and is due at once when a child ended while its
-- attempt ran.
CREATE OR REPLACE FUNCTION release_attempts(batch json)
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
               run_at = CASE WHEN i.delay_ms > 0 AND i.children AND e.child_ended_epoch = e.lease_epoch THEN now()
                             WHEN i.delay_ms > 0 THEN now() + i.delay_ms * interval '1 millisecond'
                             ELSE e.run_at END,
               finished_at = CASE WHEN e.cancel_requested THEN now() END,
               requeued_at = now(),
               lease_expires_at = NULL,
               resumable = true,
               awaiting_children_epoch = CASE WHEN i.children THEN e.lease_epoch END,
               last_event = CASE WHEN e.cancel_requested THEN 'cancelled'
                                 WHEN i.delay_ms > 0 THEN 'waiting' ELSE 'released' END,
               note = i.reason
          FROM json_to_recordset(batch)
               AS i(id bigint, epoch bigint, reason text, delay_ms bigint, children boolean, nodes json)
         WHERE e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
        RETURNING e.id, e.state, e.lease_epoch, i.nodes
    ), recorded AS (
        SELECT record_nodes(array_agg(d.id), array_agg(d.lease_epoch), array_agg(d.nodes)) AS n
          FROM done d
    )
    SELECT d.id, d.state FROM done d, recorded;
END
$$;
