-- Pauses or resumes claiming from one queue.
INSERT INTO queues (name, paused, updated_at) VALUES (:name, :paused, now())
ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused, updated_at = now();
