-- Claims up to :limit due executions for one worker, by priority, run_at, id. The statement lives
-- in the function claim_executions (see V001, V010) so its plan is pinned to an ordered walk of the
-- partial index executions_claim whatever the statistics say.
SELECT id, queue, workflow_hash, workflow_name, input, attempt, max_attempts, lease_epoch,
       resumable, cancel_requested, queued_ms, traceparent
  FROM "${schema}".claim_executions(:worker_id, :queues::text[], :limit, :visibility_ms);
