-- Cancels an execution that is not running.
UPDATE executions
   SET state = 'cancelled', finished_at = CAST(unixepoch('subsec') * 1000 AS INTEGER), last_event = 'cancelled', note = :reason
 WHERE id = :id AND state = 'available';
