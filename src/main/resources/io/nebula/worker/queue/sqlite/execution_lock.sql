-- The state of one execution for an operator action (the caller holds the write lock).
SELECT state FROM executions WHERE id = :id;
