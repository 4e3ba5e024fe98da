-- V010: when an execution last went back to the queue, so its wait is counted from then; and
-- "after 1 attempt", not "1 attempts", in the error of an execution that had one.
-- Applied by Migrator under pg_advisory_xact_lock, so concurrent starts serialize.
--
-- A release (a worker stopping) and a rescue (a lease that expired) keep run_at, so the execution
-- keeps its place in the claim order ahead of work that became due after it. Its wait, though,
-- starts again when it is handed back: requeued_at records that moment (NULL for an execution that
-- never went back), and the queue's lag, the oldest due age and a claim's queued time count from
-- the latest of run_at, created_at and requeued_at. Without it a release after a long attempt made
-- the queue look as far behind as the attempt was long, which an autoscaler reads as a backlog.
-- Adding a nullable column without a default rewrites nothing.
ALTER TABLE executions ADD COLUMN requeued_at timestamptz;

-- Otherwise as in V002 (same plan settings).
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
               run_at = CASE WHEN i.delay_ms > 0 THEN now() + i.delay_ms * interval '1 millisecond'
                             ELSE e.run_at END,
               finished_at = CASE WHEN e.cancel_requested THEN now() END,
               requeued_at = now(),
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

-- Otherwise as in V007 (same plan settings).
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
              greatest(0, (extract(epoch FROM now() - greatest(e.run_at, e.created_at, e.requeued_at)) * 1000)::bigint),
              e.traceparent;
END
$$;

-- Otherwise as in V002 (same plan settings).
CREATE OR REPLACE FUNCTION fail_attempts(batch json)
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
                                 THEN 'max retries exceeded after ' || e.attempt
                                      || CASE WHEN e.attempt = 1 THEN ' attempt: ' ELSE ' attempts: ' END || i.error
                                 ELSE i.error END,
               lease_expires_at = NULL,
               resumable = true,
               last_event = CASE WHEN e.cancel_requested THEN 'cancelled'
                                 WHEN i.retryable AND e.attempt < e.max_attempts THEN 'retry_scheduled'
                                 ELSE 'failed' END,
               note = CASE WHEN i.retryable AND e.attempt >= e.max_attempts
                           THEN 'max retries exceeded after ' || e.attempt
                                      || CASE WHEN e.attempt = 1 THEN ' attempt: ' ELSE ' attempts: ' END || i.error
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
