-- Wakes the claimers of :queues in every process once a submit that made executions of them due
-- has committed: one NOTIFY per queue, in a transaction of its own that does not wait for the disk
-- (synchronous_commit is set for this transaction only, and read at its commit). A transaction
-- that notifies holds a server-wide lock from the start of its commit to its end, so a NOTIFY
-- in each submit's own transaction made concurrent submits wait for each other's disk writes.
-- Losing the notification in a crash leaves the executions to the claimers' next poll.
SELECT count(pg_notify(:channel, q)) AS queues, set_config('synchronous_commit', 'off', true) AS sync
  FROM unnest(:queues::text[]) AS q;
