-- Rescues executions whose lease expired, in one guarded statement (the write lock is held, and
-- the WHERE re-checks state and expiry). A holder that died :max_deaths times quarantines the
-- execution; used-up attempts fail it; a pending cancel ends it cancelled, its note keeping the
-- cancel's reason; otherwise it is available again, keeping its checkpoints and its run_at
-- (started work keeps its place in the queue instead of waiting behind the whole backlog), its wait
-- counting from now (requeued_at).
-- With :holder set, nothing changes unless :holder holds the leader lease :lease by the database
-- clock when the statement runs, so a statement delayed past its sender's term cannot act in the next.
UPDATE executions
   SET deaths = deaths + 1,
       state = CASE WHEN cancel_requested THEN 'cancelled'
                    WHEN deaths + 1 >= :max_deaths THEN 'failed'
                    WHEN attempt >= max_attempts THEN 'failed'
                    ELSE 'available' END,
       finished_at = CASE WHEN cancel_requested OR deaths + 1 >= :max_deaths
                            OR attempt >= max_attempts THEN CAST(unixepoch('subsec') * 1000 AS INTEGER) END,
       requeued_at = CAST(unixepoch('subsec') * 1000 AS INTEGER),
       lease_expires_at = NULL,
       resumable = 1,
       last_error = CASE WHEN cancel_requested THEN last_error
                         WHEN deaths + 1 >= :max_deaths
                         THEN 'quarantined as poison: its worker died ' || (deaths + 1)
                              || ' times while running it (last: ' || coalesce(lease_owner, '?') || ')'
                         WHEN attempt >= max_attempts
                         THEN 'max retries exceeded after ' || attempt
                              || CASE WHEN attempt = 1 THEN ' attempt' ELSE ' attempts' END || ': lease expired (worker ' || coalesce(lease_owner, '?')
                              || ' stopped heartbeating)'
                         ELSE last_error END,
       last_event = CASE WHEN cancel_requested THEN 'cancelled'
                         WHEN deaths + 1 >= :max_deaths THEN 'quarantined'
                         ELSE 'rescued' END,
       note = CASE WHEN cancel_requested AND last_event = 'cancel_requested' THEN coalesce(note || '; ', '') ELSE '' END
              || 'lease expired at ' || strftime('%Y-%m-%dT%H:%M:%fZ', lease_expires_at / 1000.0, 'unixepoch')
              || ' held by ' || coalesce(lease_owner, '?')
 WHERE id IN (SELECT c.id FROM executions c
               WHERE c.state = 'running' AND c.lease_expires_at < CAST(unixepoch('subsec') * 1000 AS INTEGER)
               ORDER BY c.lease_expires_at LIMIT :limit)
   AND state = 'running' AND lease_expires_at < CAST(unixepoch('subsec') * 1000 AS INTEGER)
   AND (:holder IS NULL
        OR EXISTS (SELECT 1 FROM leader l
                    WHERE l.name = :lease AND l.holder = :holder
                      AND l.expires_at >= CAST(unixepoch('subsec') * 1000 AS INTEGER)))
RETURNING id, state, last_event;
