-- Makes an execution parked waiting for signals due now (the caller holds its row lock). The
-- history trigger records the 'signal_received' event.
UPDATE "${schema}".executions
   SET run_at = now(), last_event = 'signal_received', note = :note
 WHERE id = :id AND state = 'available' AND last_event = 'awaiting_signal';
