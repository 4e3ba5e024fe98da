-- Pauses or resumes claiming from one queue; a queue not known yet becomes known (queues primary key).
INSERT INTO "${schema}".queues (name, paused, updated_at) VALUES (:name, :paused, now())
ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused, updated_at = now();
