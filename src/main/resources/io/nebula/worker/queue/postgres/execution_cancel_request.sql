-- Asks the holder of a running execution to stop; it sees the flag at its next heartbeat.
UPDATE "${schema}".executions
   SET cancel_requested = true, last_event = 'cancel_requested', note = :reason
 WHERE id = :id AND state = 'running' AND NOT cancel_requested;
