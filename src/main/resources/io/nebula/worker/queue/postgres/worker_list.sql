-- Workers seen recently, newest first.
SELECT worker_id, pool_id, host, pid, concurrency, queues, version, started_at, last_seen_at, active
  FROM "${schema}".workers
 WHERE last_seen_at >= now() - :within_ms * interval '1 millisecond'
 ORDER BY worker_id;
