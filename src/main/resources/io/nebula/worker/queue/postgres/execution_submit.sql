-- Enqueues many executions in one statement. Ids are drawn first so each input row knows its id;
-- a repeated idempotency key inserts nothing (unique partial index executions_idempotency) and the
-- existing execution's id is returned instead, with created = false. With :notify the same
-- statement notifies :channel once per queue that received an execution (delivered at commit; a
-- submit in the caller's own transaction), else the store sends those notifications after the
-- commit (wakeup_announce.sql says why).
WITH input AS (
    SELECT t.*, nextval('"${schema}".executions_id_seq') AS new_id
      FROM unnest(:queues::text[], :hashes::text[], :names::text[], :inputs::text[],
                  :priorities::int[], :delays_ms::bigint[], :run_ats_ms::bigint[],
                  :max_attempts::int[], :keys::text[], :traceparents::text[])
           WITH ORDINALITY AS t(queue, hash, name, input, priority, delay_ms, run_at,
                                max_attempts, idem_key, traceparent, ord)
), inserted AS (
    INSERT INTO "${schema}".executions (id, queue, workflow_hash, workflow_name, input, state, priority,
                            run_at, max_attempts, idempotency_key, traceparent)
    SELECT new_id, queue, hash, name, input::json, 'available', priority,
           coalesce(to_timestamp(run_at / 1000.0), now() + coalesce(delay_ms, 0) * interval '1 millisecond'),
           max_attempts, idem_key, traceparent
      FROM input ORDER BY ord
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id, queue
), notified AS (
    SELECT count(pg_notify(:channel, q.queue)) AS queues
      FROM (SELECT DISTINCT queue FROM inserted) AS q
     WHERE :notify::boolean
)
SELECT i.ord - 1 AS ord, coalesce(ins.id, e.id) AS id, ins.id IS NOT NULL AS created, n.queues
  FROM input i
  CROSS JOIN notified n
  LEFT JOIN inserted ins ON ins.id = i.new_id
  LEFT JOIN "${schema}".executions e ON ins.id IS NULL AND e.idempotency_key = i.idem_key
 ORDER BY i.ord;
