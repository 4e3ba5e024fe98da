-- Pauses or resumes claiming from one queue; a queue not known yet becomes known (queues primary key).
INSERT INTO queues (name, paused, updated_at) VALUES (:name, :paused, CAST(unixepoch('subsec') * 1000 AS INTEGER))
ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, updated_at = CAST(unixepoch('subsec') * 1000 AS INTEGER);
