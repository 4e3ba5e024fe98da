-- Registers (or re-registers) a worker process.
INSERT INTO workers (worker_id, pool_id, host, pid, concurrency, queues, version, started_at,
                     last_seen_at, active)
VALUES (:worker_id, :pool_id, :host, :pid, :concurrency, :queues, :version, CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER), 0)
ON CONFLICT (worker_id) DO UPDATE
   SET pool_id = excluded.pool_id, host = excluded.host, pid = excluded.pid,
       concurrency = excluded.concurrency, queues = excluded.queues, version = excluded.version,
       started_at = CAST(unixepoch('subsec') * 1000 AS INTEGER), last_seen_at = CAST(unixepoch('subsec') * 1000 AS INTEGER), active = 0;
