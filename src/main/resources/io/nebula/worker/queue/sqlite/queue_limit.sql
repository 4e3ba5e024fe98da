-- Sets or lifts (NULL) the limit on a queue's running executions; a queue not known yet becomes
-- known (queues primary key).
INSERT INTO queues (name, paused, max_running, updated_at)
VALUES (:name, 0, :max_running, CAST(unixepoch('subsec') * 1000 AS INTEGER))
ON CONFLICT (name) DO UPDATE SET max_running = excluded.max_running,
                                 updated_at = CAST(unixepoch('subsec') * 1000 AS INTEGER);
