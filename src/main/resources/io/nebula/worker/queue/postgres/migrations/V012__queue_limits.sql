-- V012: a queue may limit how many of its executions run at once, across every worker.
-- Applied by Migrator under pg_advisory_xact_lock, so concurrent starts serialize.
--
-- queues.max_running is that limit (NULL: none, the default), set by `queues limit`. An execution
-- counts while its state is running: from its claim until its attempt ends (a durable wait ends the
-- attempt), and, for a worker that died, until the rescue hands it back once its lease expired.
-- Adding a nullable column without a default rewrites nothing.
ALTER TABLE queues ADD COLUMN max_running integer CHECK (max_running >= 1);

-- As in V010 when none of the queues asked for has a limit: the first due rows of the queues, up
-- to the batch, locked with SKIP LOCKED in one ordered walk of executions_claim, then updated by id.
-- Otherwise each limited queue with room left (in name order, so two claims never wait for each
-- other in a cycle) is locked until the claim commits, so the claims of one limited queue count
-- and take one at a time whichever worker makes them; its running executions are counted (through
-- executions_lease, which holds every running row and nothing but leased ones) and at most the room
-- left of its due executions are locked with SKIP LOCKED. The other queues' first due executions,
-- up to the batch, are locked the same way. Of all the rows locked, the batch's worth first in
-- claim order (priority, run_at, id) is claimed, so a limit changes how many of a queue run, not
-- which queue is served first; the rest are let go when the claim commits. A limited queue whose
-- room, counted without the lock, is none is passed over without locking it, so the claims of
-- workers waiting for room write nothing; room only grows when executions end, and a claim, the
-- only writer that makes an execution run, takes the lock before it counts again.
CREATE OR REPLACE FUNCTION claim_executions(worker text, queue_names text[], lim integer, visibility_ms bigint)
RETURNS TABLE (id bigint, queue text, workflow_hash text, workflow_name text, input text,
               attempt integer, max_attempts integer, lease_epoch bigint, resumable boolean,
               cancel_requested boolean, queued_ms bigint, traceparent text)
LANGUAGE plpgsql
SET search_path = "${schema}"
SET enable_bitmapscan = off
SET enable_sort = off
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
    limited text[];
    q text;
    room bigint;
    picked bigint[] := '{}';
BEGIN
    SELECT array_agg(l.name ORDER BY l.name) INTO limited
      FROM queues l
     WHERE l.name = ANY(queue_names) AND l.max_running IS NOT NULL AND NOT l.paused;
    IF limited IS NOT NULL THEN
        FOREACH q IN ARRAY limited LOOP
            SELECT l.max_running - (SELECT count(*) FROM executions r
                                     WHERE r.lease_expires_at IS NOT NULL AND r.state = 'running' AND r.queue = q)
              INTO room
              FROM queues l
             WHERE l.name = q AND NOT l.paused;
            CONTINUE WHEN room IS NULL OR room <= 0;
            SELECT l.max_running INTO room
              FROM queues l
             WHERE l.name = q AND NOT l.paused
               FOR NO KEY UPDATE;
            CONTINUE WHEN room IS NULL;
            room := room - (SELECT count(*) FROM executions r
                             WHERE r.lease_expires_at IS NOT NULL AND r.state = 'running' AND r.queue = q);
            CONTINUE WHEN room <= 0;
            picked := picked || ARRAY(
                SELECT c.id FROM executions c
                 WHERE c.state = 'available'
                   AND c.run_at <= now()
                   AND c.queue = q
                 ORDER BY c.priority, c.run_at, c.id
                 LIMIT least(room, lim)
                 FOR UPDATE SKIP LOCKED);
        END LOOP;
    END IF;
    -- The queues without a limit (a limit set since the first read above is seen here too).
    picked := picked || ARRAY(
        SELECT c.id FROM executions c
         WHERE c.state = 'available'
           AND c.run_at <= now()
           AND c.queue = ANY(queue_names)
           AND c.queue <> ALL(ARRAY(SELECT p.name FROM queues p WHERE p.paused OR p.max_running IS NOT NULL))
         ORDER BY c.priority, c.run_at, c.id
         LIMIT lim
         FOR UPDATE SKIP LOCKED);
    IF limited IS NOT NULL THEN
        picked := ARRAY(
            SELECT c.id FROM executions c
             WHERE c.id = ANY(picked)
             ORDER BY c.priority, c.run_at, c.id
             LIMIT lim);
    END IF;
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
     WHERE e.id = ANY(picked)
    RETURNING e.id, e.queue, e.workflow_hash, e.workflow_name, e.input::text, e.attempt,
              e.max_attempts, e.lease_epoch, e.resumable, e.cancel_requested,
              greatest(0, (extract(epoch FROM now() - greatest(e.run_at, e.created_at, e.requeued_at)) * 1000)::bigint),
              e.traceparent;
END
$$;
