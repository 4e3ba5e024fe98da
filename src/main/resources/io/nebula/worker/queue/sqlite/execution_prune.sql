-- Deletes finished executions older than the retention, with their checkpoints, history and
-- signals, a bounded batch at a time through executions_finished. One write transaction.
-- With :holder set, nothing changes unless :holder holds the leader lease :lease by the database
-- clock when the statement runs, so a statement delayed past its sender's term cannot act in the next.
-- A child execution (idempotency key child:<parent id>:...) stays while its parent has not
-- finished: the parent finds its child by that key when it resumes, and would start the child
-- again if the key were gone.
CREATE TEMP TABLE IF NOT EXISTS prune_batch (id INTEGER PRIMARY KEY);
DELETE FROM temp.prune_batch;
INSERT INTO temp.prune_batch
SELECT e.id FROM executions e
 WHERE e.state IN ('succeeded', 'failed', 'cancelled')
   AND e.finished_at < CAST(unixepoch('subsec') * 1000 AS INTEGER) - :retention_ms
   AND NOT (e.idempotency_key GLOB 'child:[0-9]*:*'
            AND EXISTS (SELECT 1 FROM executions p
                         WHERE p.id = CAST(substr(e.idempotency_key, 7,
                                                  instr(substr(e.idempotency_key, 7), ':') - 1) AS INTEGER)
                           AND p.state NOT IN ('succeeded', 'failed', 'cancelled')))
   AND (:holder IS NULL
        OR EXISTS (SELECT 1 FROM leader l
                    WHERE l.name = :lease AND l.holder = :holder
                      AND l.expires_at >= CAST(unixepoch('subsec') * 1000 AS INTEGER)))
 LIMIT :limit;
DELETE FROM node_results WHERE execution_id IN (SELECT id FROM temp.prune_batch);
DELETE FROM execution_transitions WHERE execution_id IN (SELECT id FROM temp.prune_batch);
DELETE FROM signals WHERE execution_id IN (SELECT id FROM temp.prune_batch);
DELETE FROM executions WHERE id IN (SELECT id FROM temp.prune_batch);
