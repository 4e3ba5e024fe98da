-- Hands executions back without spending the attempt (graceful shutdown, or a durable wait with a
-- delay), fenced by (id, lease_epoch, running). Checkpoints are kept; a pending cancel wins. A
-- release without delay keeps run_at, so another worker picks the execution up ahead of the
-- backlog that arrived after it; a durable wait is due when its delay ends.
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
  FROM unnest(:ids::bigint[], :epochs::bigint[], :reasons::text[], :delays_ms::bigint[])
       AS i(id, epoch, reason, delay_ms)
 WHERE e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
RETURNING e.id, e.state;
