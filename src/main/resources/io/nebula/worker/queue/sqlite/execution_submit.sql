-- Enqueues many executions in one statement with ids reserved by execution_id_reserve (the caller
-- holds the write lock, so nobody else takes them). :rows is a JSON array of
-- [queue, hash, name, input, priority, delay_ms, run_at_ms, max_attempts, key, new_id, traceparent]. A repeated idempotency key inserts nothing (unique partial index
-- executions_idempotency); the second statement maps every row to its id.
INSERT INTO executions (id, queue, workflow_hash, workflow_name, input, state, priority, run_at,
                        max_attempts, idempotency_key, created_at, traceparent)
SELECT r.value ->> 9, r.value ->> 0, r.value ->> 1, r.value ->> 2,
       r.value ->> 3, 'available', r.value ->> 4,
       coalesce(r.value ->> 6, CAST(unixepoch('subsec') * 1000 AS INTEGER) + coalesce(r.value ->> 5, 0)), r.value ->> 7, r.value ->> 8, CAST(unixepoch('subsec') * 1000 AS INTEGER),
       r.value ->> 10
  FROM json_each(:rows) r
 WHERE true
 ORDER BY r.key
ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING;
SELECT r.key AS ord, coalesce(mine.id, other.id) AS id, mine.id IS NOT NULL AS created
  FROM json_each(:rows) r
  LEFT JOIN executions mine ON mine.id = r.value ->> 9
  LEFT JOIN executions other ON mine.id IS NULL AND other.idempotency_key = r.value ->> 8
 ORDER BY r.key;
