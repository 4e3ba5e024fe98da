-- Registers (or re-registers) a worker process. reads_levels: this build reads checkpoints kept
-- in node_levels (see V009), so its presence does not hold their writing back.
INSERT INTO "${schema}".workers (worker_id, pool_id, host, pid, concurrency, queues, version, started_at,
                     last_seen_at, active, reads_levels)
VALUES (:worker_id, :pool_id, :host, :pid, :concurrency, :queues, :version, now(), now(), 0, true)
ON CONFLICT (worker_id) DO UPDATE
   SET pool_id = EXCLUDED.pool_id, host = EXCLUDED.host, pid = EXCLUDED.pid,
       concurrency = EXCLUDED.concurrency, queues = EXCLUDED.queues, version = EXCLUDED.version,
       started_at = now(), last_seen_at = now(), active = 0, reads_levels = true;
