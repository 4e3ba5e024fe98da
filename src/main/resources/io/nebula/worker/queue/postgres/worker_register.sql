-- Registers (or re-registers) a worker process.
INSERT INTO "${schema}".workers (worker_id, pool_id, host, pid, concurrency, queues, version, started_at,
                     last_seen_at, active)
VALUES (:worker_id, :pool_id, :host, :pid, :concurrency, :queues, :version, now(), now(), 0)
ON CONFLICT (worker_id) DO UPDATE
   SET pool_id = EXCLUDED.pool_id, host = EXCLUDED.host, pid = EXCLUDED.pid,
       concurrency = EXCLUDED.concurrency, queues = EXCLUDED.queues, version = EXCLUDED.version,
       started_at = now(), last_seen_at = now(), active = 0;
