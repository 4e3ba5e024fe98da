-- Claims the executions :ids (a JSON array of ids) that are still available, for one worker, as
-- execution_claim does. Used when the queues asked for include limited ones: the caller has read
-- each limited queue's room (queue_room) and picked the ids with execution_claim_candidates, all
-- inside the claim's one write transaction.
UPDATE executions
   SET state = 'running',
       attempt = attempt + 1,
       lease_epoch = lease_epoch + 1,
       lease_owner = :worker_id,
       lease_expires_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) + :visibility_ms,
       started_at = coalesce(started_at, CAST(unixepoch('subsec') * 1000 AS INTEGER)),
       claimed_at = CAST(unixepoch('subsec') * 1000 AS INTEGER),
       last_event = 'claimed',
       note = NULL
 WHERE id IN (SELECT value FROM json_each(:ids))
   AND state = 'available'
RETURNING id, queue, workflow_hash, workflow_name, input, attempt, max_attempts, lease_epoch,
          resumable, cancel_requested,
          max(0, CAST(unixepoch('subsec') * 1000 AS INTEGER) - max(run_at, created_at, coalesce(requeued_at, 0))) AS queued_ms,
          traceparent;
