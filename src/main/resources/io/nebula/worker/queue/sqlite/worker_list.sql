-- Workers seen recently, by id.
SELECT worker_id, pool_id, host, pid, concurrency, queues, version, started_at, last_seen_at, active
  FROM workers
 WHERE last_seen_at >= CAST(unixepoch('subsec') * 1000 AS INTEGER) - :within_ms
 ORDER BY worker_id;
