-- Makes a failed or cancelled execution available again with a fresh attempt budget. Its next claim
-- starts it again: started_at is cleared, so how long it took counts from there (the history keeps
-- the earlier runs).
UPDATE executions
   SET state = 'available', run_at = CAST(unixepoch('subsec') * 1000 AS INTEGER), attempt = 0, deaths = 0, cancel_requested = 0,
       started_at = NULL, finished_at = NULL, output = NULL, lease_expires_at = NULL, resumable = 1,
       last_event = 'retried', note = :note
 WHERE id = :id AND state IN ('failed', 'cancelled');
