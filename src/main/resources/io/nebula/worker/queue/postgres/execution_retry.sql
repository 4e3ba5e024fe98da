-- Makes a failed or cancelled execution available again with a fresh attempt budget. Its next claim
-- starts it again: started_at is cleared, so how long it took counts from there (the history keeps
-- the earlier runs).
UPDATE "${schema}".executions
   SET state = 'available', run_at = now(), attempt = 0, deaths = 0, cancel_requested = false,
       started_at = NULL, finished_at = NULL, output = NULL, lease_expires_at = NULL, resumable = true,
       last_event = 'retried', note = :note
 WHERE id = :id AND state IN ('failed', 'cancelled');
