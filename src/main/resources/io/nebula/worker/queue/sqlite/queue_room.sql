-- The limited queues among :queues (a JSON array of names), in name order, each with the room it
-- has left: its limit less its running executions, counted through executions_lease (every running
-- row holds a lease). A paused queue is left out: the claim takes nothing from it anyway. Runs
-- inside the claim's write transaction, so no other claim can change the counts before it commits.
SELECT q.name,
       max(0, q.max_running - (SELECT count(*) FROM executions r
                                WHERE r.lease_expires_at IS NOT NULL AND r.state = 'running'
                                  AND r.queue = q.name)) AS room
  FROM queues q
 WHERE q.name IN (SELECT value FROM json_each(:queues))
   AND q.max_running IS NOT NULL
   AND NOT q.paused
 ORDER BY q.name;
