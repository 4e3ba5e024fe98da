-- Deletes finished executions older than the retention, with their checkpoints, history and
-- signals, a bounded batch at a time through executions_finished. One write transaction.
-- With :holder set, nothing changes unless :holder holds the leader lease :lease by the database
-- clock when the statement runs, so a statement delayed past its sender's term cannot act in the next.
CREATE TEMP TABLE IF NOT EXISTS prune_batch (id INTEGER PRIMARY KEY);
DELETE FROM temp.prune_batch;
INSERT INTO temp.prune_batch
SELECT id FROM executions
 WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < CAST(unixepoch('subsec') * 1000 AS INTEGER) - :retention_ms
   AND (:holder IS NULL
        OR EXISTS (SELECT 1 FROM leader l
                    WHERE l.name = :lease AND l.holder = :holder
                      AND l.expires_at >= CAST(unixepoch('subsec') * 1000 AS INTEGER)))
 LIMIT :limit;
DELETE FROM node_results WHERE execution_id IN (SELECT id FROM temp.prune_batch);
DELETE FROM execution_transitions WHERE execution_id IN (SELECT id FROM temp.prune_batch);
DELETE FROM signals WHERE execution_id IN (SELECT id FROM temp.prune_batch);
DELETE FROM executions WHERE id IN (SELECT id FROM temp.prune_batch);
