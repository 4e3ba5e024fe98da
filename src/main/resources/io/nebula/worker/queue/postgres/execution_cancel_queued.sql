-- Cancels an execution that is not running (the caller holds its row lock).
UPDATE "${schema}".executions
   SET state = 'cancelled', finished_at = now(), last_event = 'cancelled', note = :reason
 WHERE id = :id AND state = 'available';
