-- The schedule to fire, if it still has the next fire time the caller read and is not paused (the
-- caller holds the write lock, so no other worker fires it meanwhile). Returns the state of the
-- execution fired last, for overlap = skip.
SELECT s.last_execution_id, e.state AS last_state
  FROM schedules s
  LEFT JOIN executions e ON e.id = s.last_execution_id
 WHERE s.name = :name AND s.next_fire_at = :expected AND s.paused = 0;
