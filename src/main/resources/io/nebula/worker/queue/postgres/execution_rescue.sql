-- Rescues executions whose lease expired (their holder died, hung or lost the database). One
-- guarded statement: the candidates are locked with SKIP LOCKED through executions_lease, and the
-- UPDATE re-checks state and expiry on the locked row, so a heartbeat that won the race keeps it.
-- A holder that died :max_deaths times quarantines the execution; used-up attempts fail it; a
-- pending cancel ends it cancelled, its note keeping the cancel's reason; otherwise it is
-- available again, keeping its checkpoints and its run_at: started work keeps its place in the
-- queue, ahead of executions that became due after it, instead of waiting behind the backlog; its
-- wait counts from now (requeued_at, see V010).
-- With :holder set, nothing changes unless :holder holds the leader lease :lease by the database
-- clock when the statement runs, so a statement delayed past its sender's term cannot act in the next.
UPDATE "${schema}".executions e
   SET deaths = e.deaths + 1,
       state = CASE WHEN e.cancel_requested THEN 'cancelled'
                    WHEN e.deaths + 1 >= :max_deaths THEN 'failed'
                    WHEN e.attempt >= e.max_attempts THEN 'failed'
                    ELSE 'available' END,
       finished_at = CASE WHEN e.cancel_requested OR e.deaths + 1 >= :max_deaths
                            OR e.attempt >= e.max_attempts THEN now() END,
       requeued_at = now(),
       lease_expires_at = NULL,
       resumable = true,
       last_error = CASE WHEN e.cancel_requested THEN e.last_error
                         WHEN e.deaths + 1 >= :max_deaths
                         THEN 'quarantined as poison: its worker died ' || (e.deaths + 1)
                              || ' times while running it (last: ' || coalesce(e.lease_owner, '?') || ')'
                         WHEN e.attempt >= e.max_attempts
                         THEN 'max retries exceeded after ' || e.attempt
                              || CASE WHEN e.attempt = 1 THEN ' attempt' ELSE ' attempts' END || ': lease expired (worker ' || coalesce(e.lease_owner, '?')
                              || ' stopped heartbeating)'
                         ELSE e.last_error END,
       last_event = CASE WHEN e.cancel_requested THEN 'cancelled'
                         WHEN e.deaths + 1 >= :max_deaths THEN 'quarantined'
                         ELSE 'rescued' END,
       note = CASE WHEN e.cancel_requested AND e.last_event = 'cancel_requested' THEN coalesce(e.note || '; ', '') ELSE '' END
              || 'lease expired at ' || to_char(e.lease_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || ' held by ' || coalesce(e.lease_owner, '?')
 WHERE e.id = ANY(ARRAY(
        SELECT c.id FROM "${schema}".executions c
         WHERE c.state = 'running' AND c.lease_expires_at < now()
         ORDER BY c.lease_expires_at
         LIMIT :limit
         FOR UPDATE SKIP LOCKED))
   AND e.state = 'running' AND e.lease_expires_at < now()
   AND (:holder::text IS NULL
        OR EXISTS (SELECT 1 FROM "${schema}".leader l
                    WHERE l.name = :lease AND l.holder = :holder AND l.expires_at >= now()))
RETURNING e.id, e.state, e.last_event;
