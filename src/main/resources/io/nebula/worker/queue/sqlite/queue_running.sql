-- The running executions of one queue, as the claim counts them against the queue's limit
-- (through executions_lease: every running row holds a lease).
SELECT count(*) AS n
  FROM executions
 WHERE lease_expires_at IS NOT NULL AND state = 'running' AND queue = :queue;
