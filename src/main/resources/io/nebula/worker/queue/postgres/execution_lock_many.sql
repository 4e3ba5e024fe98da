-- Locks the rows of the executions a completion batch of several statements ends, in id order,
-- before its first statement: each statement locks its own rows in id order, but the transaction
-- as a whole would not, and a heartbeat or a checkpoint, which lock in id order, could then meet
-- it in a cycle. Rows whose lease is no longer running are locked too; the statements fence them.
SELECT id FROM "${schema}".executions WHERE id = ANY(:ids::bigint[]) ORDER BY id FOR NO KEY UPDATE;
