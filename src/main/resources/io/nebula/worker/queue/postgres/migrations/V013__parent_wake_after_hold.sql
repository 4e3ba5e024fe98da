-- V013: a parent's wake-up that its child's end could not make, because someone held the parent's
-- row at that moment, is passed on instead of left to the parent's look-again delay; and a parent's
-- release that is due at once because a child ended while it ran wakes its queue's workers.
-- Applied by Migrator under pg_advisory_xact_lock, so concurrent starts serialize.
--
-- wake_parent holds what the V011 trigger did to a parent (make it due when it is parked waiting
-- for its children, mark the epoch whose wait for children ends at once otherwise). With wait
-- false it takes the parent's row with SKIP LOCKED, as the trigger always did, so a child's end
-- never waits for, nor deadlocks with, whoever holds the row (a claim, a heartbeat, the parent's
-- own release, a sibling's end); it then returns false when the row was held and the committed row
-- is one it would have changed (a parent due already with its epoch marked is not). The trigger
-- passes such a parent's id on as a NOTIFY on the channel nebula_parent_<schema>, sent at the
-- child's commit. A worker that listens calls wake_parent_after_hold, which waits up to 200 ms for
-- the row, in a transaction of its own that holds no other lock, and then does the same, reading
-- the parent as whoever held it left it; it returns null when the row was still held, and the
-- worker tries again later, behind the other parents, up to a bound (see ParentWakes).
-- Done late, each step is still safe: a parent parked for its children looks at them once more
-- than needed at worst, and a delay node's wait is never cut short (awaiting_children_epoch is
-- set for a wait for children only). Without a listener of this build, or when the tries run out,
-- the wake-up is left to the parent's look-again delay, as before.
-- Whether wake_parent would change the parent's committed row, read without a lock: it is parked for
-- its children, or its epoch mark is not the one wake_parent would set.
CREATE FUNCTION wake_parent_would_change(parent bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM "${schema}".executions s
         WHERE s.id = parent AND s.state IN ('running', 'available')
           AND ((s.state = 'available' AND s.last_event = 'waiting'
                 AND s.awaiting_children_epoch = s.lease_epoch AND s.run_at > now())
                OR s.child_ended_epoch IS DISTINCT FROM
                   CASE WHEN s.state = 'running' THEN s.lease_epoch ELSE s.lease_epoch + 1 END))
$$;

CREATE FUNCTION wake_parent(parent bigint, wait boolean) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    p_state text;
    p_epoch bigint;
    p_ended bigint;
    p_queue text;
    parked boolean;
    mark bigint;
BEGIN
    IF wait THEN
        SELECT s.state, s.lease_epoch, s.child_ended_epoch, s.queue,
               coalesce(s.state = 'available' AND s.last_event = 'waiting'
                        AND s.awaiting_children_epoch = s.lease_epoch AND s.run_at > now(), false)
          INTO p_state, p_epoch, p_ended, p_queue, parked
          FROM "${schema}".executions s
         WHERE s.id = parent AND s.state IN ('running', 'available')
           AND NOT (s.state = 'running' AND s.child_ended_epoch IS NOT DISTINCT FROM s.lease_epoch)
           FOR UPDATE;
    ELSE
        SELECT s.state, s.lease_epoch, s.child_ended_epoch, s.queue,
               coalesce(s.state = 'available' AND s.last_event = 'waiting'
                        AND s.awaiting_children_epoch = s.lease_epoch AND s.run_at > now(), false)
          INTO p_state, p_epoch, p_ended, p_queue, parked
          FROM "${schema}".executions s
         WHERE s.id = parent AND s.state IN ('running', 'available')
           AND NOT (s.state = 'running' AND s.child_ended_epoch IS NOT DISTINCT FROM s.lease_epoch)
           FOR UPDATE SKIP LOCKED;
    END IF;
    IF NOT FOUND THEN
        -- Nothing to do, unless the row was skipped because someone holds it and the committed row
        -- (read without a lock) is one this function would change.
        RETURN wait OR NOT "${schema}".wake_parent_would_change(parent);
    END IF;
    IF parked THEN
        UPDATE "${schema}".executions SET run_at = clock_timestamp() WHERE id = parent;
        PERFORM pg_notify('nebula_wakeup_${schema}', p_queue);
        RETURN true;
    END IF;
    -- Running: this attempt's look may have read the child as running. Available but not parked
    -- for children (due already, or in a backoff, a park for signals...): a claim may be reading the
    -- child as running right now, so the next attempt's (its epoch is one more) wait ends at once too.
    mark := CASE WHEN p_state = 'running' THEN p_epoch ELSE p_epoch + 1 END;
    IF p_ended IS DISTINCT FROM mark THEN
        UPDATE "${schema}".executions SET child_ended_epoch = mark WHERE id = parent;
    END IF;
    RETURN true;
END
$$;

-- The wake-up a child's end passed on (see above): true when it was made or nothing was left to
-- change, null when the row was still held after 200 ms (the caller may try again). The lock wait's
-- error is caught here, so the caller sees no error to retry at once.
CREATE FUNCTION wake_parent_after_hold(parent bigint) RETURNS boolean LANGUAGE plpgsql
SET lock_timeout = '200ms'
AS $$
BEGIN
    IF NOT "${schema}".wake_parent_would_change(parent) THEN
        RETURN true;
    END IF;
    BEGIN
        RETURN "${schema}".wake_parent(parent, true);
    EXCEPTION WHEN lock_not_available THEN
        RETURN NULL;
    END;
END
$$;

-- The parent's id is read from the child's idempotency key (child:<parent id>:<node>, see
-- ChildKeys); the trigger itself is V011's.
CREATE OR REPLACE FUNCTION executions_wake_parent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent bigint;
BEGIN
    parent := substring(NEW.idempotency_key FROM '^child:([0-9]{1,18}):')::bigint;
    IF parent IS NOT NULL AND NOT "${schema}".wake_parent(parent, false) THEN
        PERFORM pg_notify('nebula_parent_${schema}', parent::text);
    END IF;
    RETURN NULL;
END
$$;

-- Otherwise as in V011 (same plan settings). A release for children only whose attempt saw a child
-- end is due at once, and now also NOTIFYs its queue, as a submit does, so a parent whose children
-- ended while it looked at them is claimed again at once rather than at the next poll.
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
        RETURNING e.id, e.state, e.lease_epoch, i.nodes, e.queue,
                  (i.delay_ms > 0 AND i.children AND e.child_ended_epoch = e.lease_epoch
                   AND NOT e.cancel_requested) AS children_ended
    ), recorded AS (
        SELECT record_nodes(array_agg(d.id), array_agg(d.lease_epoch), array_agg(d.nodes)) AS n
          FROM done d
    ), woken AS (
        SELECT count(pg_notify('nebula_wakeup_${schema}', q.queue)) AS queues
          FROM (SELECT DISTINCT d.queue FROM done d WHERE d.children_ended) AS q
    )
    SELECT d.id, d.state FROM done d, recorded, woken;
END
$$;
