-- Locks one execution for an operator action and returns its state.
SELECT state FROM executions WHERE id = :id FOR UPDATE;
