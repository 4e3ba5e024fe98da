-- Stores a delivered signal (the caller holds the execution's row lock, see execution_lock). The
-- primary key (execution_id, name) keeps the first delivery: a row that already has one is left
-- alone and nothing is returned. A row a waiting node registered gets the data; awaited says so.
INSERT INTO "${schema}".signals (execution_id, name, data, received_at)
VALUES (:id, :name, :data::json, now())
ON CONFLICT (execution_id, name) DO UPDATE
   SET data = EXCLUDED.data, received_at = EXCLUDED.received_at
 WHERE signals.received_at IS NULL
RETURNING waiting_since IS NOT NULL AS awaited;
