-- Claims up to :limit due executions for one worker, by priority, run_at, id.
-- FOR UPDATE SKIP LOCKED through the partial index executions_claim lets claimers pass each
-- other; id = ANY(ARRAY(...)) keeps an index lookup even under a generic prepared plan.
-- Each claim bumps the lease epoch (the fencing token) and the attempt; the lease expiry comes
-- from the database clock. The history trigger records the 'claimed' event.
UPDATE executions e
   SET state = 'running',
       attempt = e.attempt + 1,
       lease_epoch = e.lease_epoch + 1,
       lease_owner = :worker_id,
       lease_expires_at = now() + :visibility_ms * interval '1 millisecond',
       started_at = coalesce(e.started_at, now()),
       last_event = 'claimed',
       note = NULL
 WHERE e.id = ANY(ARRAY(
        SELECT c.id FROM executions c
         WHERE c.state = 'available'
           AND c.run_at <= now()
           AND c.queue = ANY(:queues::text[])
           AND NOT EXISTS (SELECT 1 FROM queues q WHERE q.name = c.queue AND q.paused)
         ORDER BY c.priority, c.run_at, c.id
         LIMIT :limit
         FOR UPDATE SKIP LOCKED))
RETURNING e.id, e.queue, e.workflow_hash, e.workflow_name, e.input::text AS input, e.attempt,
          e.max_attempts, e.lease_epoch, e.resumable, e.cancel_requested, e.created_at,
          e.run_at AS due_at, now() AS claimed_at;
