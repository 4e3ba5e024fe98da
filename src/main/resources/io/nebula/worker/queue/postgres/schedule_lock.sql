-- Locks one schedule for firing if it still has the next fire time the caller read and is not
-- paused; SKIP LOCKED leaves it to a worker already firing it (which advances next_fire_at, so the
-- caller then finds nothing). Returns the state of the execution fired last, for overlap = skip.
SELECT s.last_execution_id, e.state AS last_state
  FROM "${schema}".schedules s
  LEFT JOIN "${schema}".executions e ON e.id = s.last_execution_id
 WHERE s.name = :name
   AND s.next_fire_at = to_timestamp(:expected::bigint / 1000.0)
   AND NOT s.paused
   FOR UPDATE OF s SKIP LOCKED;
