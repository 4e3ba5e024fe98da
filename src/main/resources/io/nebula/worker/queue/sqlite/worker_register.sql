-- Registers (or re-registers) a worker process: its row is replaced, not updated, so that a
-- column this build does not know (one a newer build added and set, under the same worker id)
-- goes back to its default.
DELETE FROM workers WHERE worker_id = :worker_id;
INSERT INTO workers (worker_id, pool_id, host, pid, concurrency, queues, version, started_at,
                     last_seen_at, active)
VALUES (:worker_id, :pool_id, :host, :pid, :concurrency, :queues, :version, CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER), 0);
