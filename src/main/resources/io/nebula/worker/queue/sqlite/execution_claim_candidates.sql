-- The first :limit due executions of :queues (a JSON array of names) in claim order, with the
-- columns of that order, as execution_claim's subquery picks them (paused queues left out). Used
-- with queue_room and execution_claim_ids when the queues asked for include limited ones: the
-- caller picks, in claim order, at most each limited queue's room and the batch in all.
SELECT c.id, c.priority, c.run_at
  FROM executions c
 WHERE c.state = 'available'
   AND c.run_at <= CAST(unixepoch('subsec') * 1000 AS INTEGER)
   AND c.queue IN (SELECT value FROM json_each(:queues))
   AND NOT EXISTS (SELECT 1 FROM queues q WHERE q.name = c.queue AND q.paused)
 ORDER BY c.priority, c.run_at, c.id
 LIMIT :limit;
