-- V007: the trace context of each execution.
-- Applied by Migrator under pg_advisory_xact_lock, so concurrent starts serialize.

-- The W3C traceparent of whoever submitted the execution (or of the new trace its submit began);
-- every attempt, on whichever worker, continues that trace. NULL for executions submitted before.
ALTER TABLE executions ADD COLUMN traceparent text;

-- The claim also returns the trace context; otherwise as in V002 (same plan settings).
DROP FUNCTION claim_executions(text, text[], integer, bigint);
CREATE FUNCTION claim_executions(worker text, queue_names text[], lim integer, visibility_ms bigint)
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
              greatest(0, (extract(epoch FROM now() - greatest(e.run_at, e.created_at)) * 1000)::bigint),
              e.traceparent;
END
$$;
