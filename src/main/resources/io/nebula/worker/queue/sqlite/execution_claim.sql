-- Claims up to :limit due executions for one worker, by priority, run_at, id, in one
-- UPDATE ... RETURNING (a read-then-write transaction would fail with SQLITE_BUSY_SNAPSHOT when
-- another process commits in between). Uses the partial index executions_claim. Each claim bumps
-- the lease epoch and the attempt and records its time in claimed_at; no history row is written
-- (the execution_history view derives the claim from the row).
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
 WHERE id IN (
        SELECT c.id FROM executions c
         WHERE c.state = 'available'
           AND c.run_at <= CAST(unixepoch('subsec') * 1000 AS INTEGER)
           AND c.queue IN (SELECT value FROM json_each(:queues))
           AND NOT EXISTS (SELECT 1 FROM queues q WHERE q.name = c.queue AND q.paused)
         ORDER BY c.priority, c.run_at, c.id
         LIMIT :limit)
RETURNING id, queue, workflow_hash, workflow_name, input, attempt, max_attempts, lease_epoch,
          resumable, cancel_requested,
          max(0, CAST(unixepoch('subsec') * 1000 AS INTEGER) - max(run_at, created_at, coalesce(requeued_at, 0))) AS queued_ms,
          traceparent;
