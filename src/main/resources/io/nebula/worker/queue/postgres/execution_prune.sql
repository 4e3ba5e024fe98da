-- Deletes finished executions older than the retention, with their checkpoints, history and
-- signals, a bounded batch at a time through executions_finished, in no particular order
-- (ordering would sort every old row on each batch). SKIP LOCKED keeps it off rows in use.
-- With :holder set, nothing changes unless :holder holds the leader lease :lease by the database
-- clock when the statement runs, so a statement delayed past its sender's term cannot act in the next.
-- A child execution (idempotency key child:<parent id>:...) stays while its parent has not
-- finished: the parent finds its child by that key when it resumes, and would start the child
-- again if the key were gone.
WITH old AS (
    SELECT e.id FROM "${schema}".executions e
     WHERE e.state IN ('succeeded', 'failed', 'cancelled')
       AND e.finished_at < now() - :retention_ms * interval '1 millisecond'
       AND NOT EXISTS (SELECT 1 FROM "${schema}".executions p
                        WHERE e.idempotency_key LIKE 'child:%'
                          AND p.id = substring(e.idempotency_key FROM '^child:([0-9]{1,18}):')::bigint
                          AND p.state NOT IN ('succeeded', 'failed', 'cancelled'))
       AND (:holder::text IS NULL
            OR EXISTS (SELECT 1 FROM "${schema}".leader l
                        WHERE l.name = :lease AND l.holder = :holder AND l.expires_at >= now()))
     LIMIT :limit
       FOR UPDATE OF e SKIP LOCKED
), nodes AS (
    DELETE FROM "${schema}".node_results n USING old WHERE n.execution_id = old.id
), levels AS (
    DELETE FROM "${schema}".node_levels l USING old WHERE l.execution_id = old.id
), history AS (
    DELETE FROM "${schema}".execution_transitions h USING old WHERE h.execution_id = old.id
), delivered AS (
    DELETE FROM "${schema}".signals s USING old WHERE s.execution_id = old.id
)
DELETE FROM "${schema}".executions e USING old WHERE e.id = old.id;
