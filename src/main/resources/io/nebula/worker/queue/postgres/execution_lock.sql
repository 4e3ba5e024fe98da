-- Locks one execution for an operator action and returns its state.
SELECT state FROM "${schema}".executions WHERE id = :id FOR UPDATE;
