-- Sets or lifts (NULL) the limit on a queue's running executions; a queue not known yet becomes
-- known (queues primary key).
INSERT INTO "${schema}".queues (name, paused, max_running, updated_at)
VALUES (:name, false, :max_running::integer, now())
ON CONFLICT (name) DO UPDATE SET max_running = EXCLUDED.max_running, updated_at = now();
