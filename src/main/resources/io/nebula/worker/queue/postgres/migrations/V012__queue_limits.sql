-- V012: a queue may limit how many of its executions run at once, across every worker.
-- Applied by Migrator under pg_advisory_xact_lock, so concurrent starts serialize.
--
-- queues.max_running is that limit (NULL: none, the default), set by `queues limit`. An execution
-- counts while its state is running: from its claim until its attempt ends (a durable wait ends the
-- attempt), and, for a worker that died, until the rescue hands it back once its lease expired.
-- Adding a nullable column without a default rewrites nothing.
ALTER TABLE queues ADD COLUMN max_running integer CHECK (max_running >= 1);

-- As in V010 when none of the queues asked for has a limit: one UPDATE over executions_claim. A
-- limited queue is claimed from on its own, before the others: the claim locks the queue's row
-- until it commits, so the claims of one limited queue count and take one at a time whichever
-- worker makes them, counts its running executions (through executions_lease, which holds every
-- running row and nothing but leased ones) and takes at most the room left, in the queue's own
-- order. Limited queues are locked in name order, so two claims never wait for each other in a
-- cycle. The unlimited queues then fill what is left of the batch, as before. A limited queue's
-- row is read again under its lock, so a limit lifted, lowered or paused meanwhile is seen.
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
    wanted integer := lim;
    taken integer;
BEGIN
    SELECT array_agg(l.name ORDER BY l.name) INTO limited
      FROM queues l
     WHERE l.name = ANY(queue_names) AND l.max_running IS NOT NULL AND NOT l.paused;
    IF limited IS NOT NULL THEN
        FOREACH q IN ARRAY limited LOOP
            EXIT WHEN wanted <= 0;
            SELECT l.max_running INTO room
              FROM queues l
             WHERE l.name = q AND NOT l.paused
               FOR NO KEY UPDATE;
            CONTINUE WHEN room IS NULL;
            room := room - (SELECT count(*) FROM executions r
                             WHERE r.lease_expires_at IS NOT NULL AND r.state = 'running' AND r.queue = q);
            CONTINUE WHEN room <= 0;
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
                       AND c.queue = q
                     ORDER BY c.priority, c.run_at, c.id
                     LIMIT least(room, wanted)
                     FOR UPDATE SKIP LOCKED))
            RETURNING e.id, e.queue, e.workflow_hash, e.workflow_name, e.input::text, e.attempt,
                      e.max_attempts, e.lease_epoch, e.resumable, e.cancel_requested,
                      greatest(0, (extract(epoch FROM now() - greatest(e.run_at, e.created_at, e.requeued_at)) * 1000)::bigint),
                      e.traceparent;
            GET DIAGNOSTICS taken = ROW_COUNT;
            wanted := wanted - taken;
        END LOOP;
        IF wanted <= 0 THEN
            RETURN;
        END IF;
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
     WHERE e.id = ANY(ARRAY(
            SELECT c.id FROM executions c
             WHERE c.state = 'available'
               AND c.run_at <= now()
               AND c.queue = ANY(queue_names)
               AND c.queue <> ALL(ARRAY(SELECT p.name FROM queues p WHERE p.paused OR p.max_running IS NOT NULL))
             ORDER BY c.priority, c.run_at, c.id
             LIMIT wanted
             FOR UPDATE SKIP LOCKED))
    RETURNING e.id, e.queue, e.workflow_hash, e.workflow_name, e.input::text, e.attempt,
              e.max_attempts, e.lease_epoch, e.resumable, e.cancel_requested,
              greatest(0, (extract(epoch FROM now() - greatest(e.run_at, e.created_at, e.requeued_at)) * 1000)::bigint),
              e.traceparent;
END
$$;
