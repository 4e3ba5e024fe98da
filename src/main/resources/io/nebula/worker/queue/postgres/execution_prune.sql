-- Deletes finished executions older than the retention, with their checkpoints, history and
-- signals, a bounded batch at a time through executions_finished, in no particular order
-- (ordering would sort every old row on each batch). SKIP LOCKED keeps it off rows in use.
WITH old AS (
    SELECT id FROM executions
     WHERE state IN ('succeeded', 'failed', 'cancelled')
       AND finished_at < now() - :retention_ms * interval '1 millisecond'
     LIMIT :limit
       FOR UPDATE SKIP LOCKED
), nodes AS (
    DELETE FROM node_results n USING old WHERE n.execution_id = old.id
), history AS (
    DELETE FROM execution_transitions h USING old WHERE h.execution_id = old.id
), delivered AS (
    DELETE FROM signals s USING old WHERE s.execution_id = old.id
)
DELETE FROM executions e USING old WHERE e.id = old.id;
