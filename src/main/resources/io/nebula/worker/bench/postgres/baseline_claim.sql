-- Claims up to 100 due jobs for one loop: an ordered walk of baseline_jobs_available with
-- FOR UPDATE SKIP LOCKED, then an update through the primary key (id = ANY keeps the index
-- lookup under a generic plan).
UPDATE baseline_jobs
   SET state = 1, attempts = attempts + 1, locked_by = ?, locked_until = now() + interval '30 seconds'
 WHERE id = ANY(ARRAY(
        SELECT id FROM baseline_jobs
         WHERE state = 0 AND queue = 'default' AND run_at <= now()
         ORDER BY run_at, id
         LIMIT 100
         FOR UPDATE SKIP LOCKED))
RETURNING id, payload
